package io.sessionbroker.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionbroker.client.EventType;
import io.sessionbroker.client.Reason;
import io.sessionbroker.client.RevocationEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventParserTest {

  private final EventParser parser = new EventParser();

  @Test
  void whenSpecExampleIsReadThenEveryFieldIsTyped() {
    String json =
        """
        {"v":1,"id":"1764000000000-0","type":"session.revoked","reason":"backchannel_logout",
         "issuer":"acme","clientId":"app1","sid":"b3a1","sub":"f81d","sessionIds":["JSESSION-1"],
         "at":"2026-11-24T05:49:43.004Z","unknownField":{"nested":true}}
        """;

    EventParser.Parsed parsed = parser.parseLiveMessage(json);

    RevocationEvent event = parsed.event();
    assertThat(parsed.id()).isEqualTo(StreamId.parse("1764000000000-0"));
    assertThat(event.id()).isEqualTo("1764000000000-0");
    assertThat(event.type()).isEqualTo(EventType.SESSION_REVOKED);
    assertThat(event.reason()).isEqualTo(Reason.BACKCHANNEL_LOGOUT);
    assertThat(event.issuer()).isEqualTo("acme");
    assertThat(event.clientId()).isEqualTo("app1");
    assertThat(event.sid()).isEqualTo("b3a1");
    assertThat(event.sub()).isEqualTo("f81d");
    assertThat(event.sessionIds()).containsExactly("JSESSION-1");
    assertThat(event.at()).isEqualTo(Instant.parse("2026-11-24T05:49:43.004Z"));
    assertThat(event.notBefore()).isNull();
  }

  @Test
  void whenStreamEntryIsReadThenEntryIdWinsOverAnyIdInTheJson() {
    EventParser.Parsed parsed =
        parser.parseStreamEntry(
            "200-1", "{\"v\":1,\"id\":\"1-0\",\"type\":\"user.revoked\",\"sub\":\"alice\"}");

    assertThat(parsed.event().id()).isEqualTo("200-1");
    assertThat(parsed.event().sessionIds()).isEmpty();
    assertThat(parsed.event().at()).isEqualTo(Instant.ofEpochMilli(200));
    assertThat(parsed.event().reason()).isEqualTo(Reason.UNKNOWN);
  }

  @Test
  void whenClientRevokedHasNoNotBeforeThenAtIsUsed() {
    EventParser.Parsed parsed =
        parser.parseStreamEntry(
            "5-0",
            "{\"v\":1,\"type\":\"client.revoked\",\"reason\":\"keycloak_admin\","
                + "\"at\":\"2026-11-24T05:00:00Z\"}");

    assertThat(parsed.event().notBefore()).isEqualTo(Instant.parse("2026-11-24T05:00:00Z"));
    assertThat(parsed.event().reason()).isEqualTo(Reason.KEYCLOAK_ADMIN);
  }

  @Test
  void whenVersionIsNotOneThenEventIsSkippedButIdCounts() {
    EventParser.Parsed parsed =
        parser.parseStreamEntry("7-0", "{\"v\":2,\"type\":\"session.revoked\",\"sid\":\"x\"}");

    assertThat(parsed.event()).isNull();
    assertThat(parsed.id()).isEqualTo(StreamId.parse("7-0"));
  }

  @Test
  void whenTypeIsUnknownThenEventIsSkipped() {
    assertThat(parser.parseStreamEntry("8-0", "{\"v\":1,\"type\":\"realm.deleted\"}").event())
        .isNull();
  }

  @Test
  void whenJsonIsUnreadableThenEventIsSkipped() {
    assertThat(parser.parseStreamEntry("9-0", "not json").event()).isNull();
    assertThat(parser.parseStreamEntry("9-1", null).event()).isNull();
  }

  @Test
  void whenLiveMessageHasNoIdThenItCannotBeDeliveredDirectly() {
    EventParser.Parsed parsed =
        parser.parseLiveMessage("{\"v\":1,\"type\":\"session.revoked\",\"sid\":\"x\"}");

    assertThat(parsed.id()).isNull();
    assertThat(parsed.event()).isNull();
  }
}
