package io.sessionbroker.broker.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionbroker.broker.outbox.PendingRevocation.ClientRevocation;
import io.sessionbroker.broker.outbox.PendingRevocation.OwedEvents;
import io.sessionbroker.broker.outbox.PendingRevocation.SessionRevocation;
import io.sessionbroker.broker.outbox.PendingRevocation.UserRevocation;
import io.sessionbroker.broker.session.EventLog.Append;
import io.sessionbroker.broker.session.RevocationEvent;
import io.sessionbroker.broker.session.RevocationEvent.EventType;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC §5: the journal and the dead-letter file hold pending revocations as JSON lines, so their
 * shape is an on-disk format. Lines written by the broker before revocations were typed (one record
 * with a {@code kind} and a nullable field for every kind) are read after an upgrade as the typed
 * revocation of their kind; lines written now are the same lines without the fields their kind
 * never had, which the previous version reads too.
 */
class PendingRevocationFormatTest {

  // Written by the previous broker (PoisonEntryTest's run, quarkus-jackson's ObjectMapper):
  // a back-channel logout of one SSO session, and the events owed after its partial failure.
  private static final String BROKER_SID =
      """
      {"kind":"SID","issuer":"test","sid":"poison-4af95d23-1860-47a9-89ad-0a1c7b8bca80","sub":"user-poison-4af95d23-1860-47a9-89ad-0a1c7b8bca80","audience":"forbidden-18d3aa4f","clientId":null,"notBefore":"2026-11-30T01:06:09Z","reason":"BACKCHANNEL_LOGOUT","revocationId":"0de249d2-d8d0-4e92-a1fc-fa5b330723fa","jti":"0de249d2-d8d0-4e92-a1fc-fa5b330723fa","events":null}""";
  private static final String BROKER_EVENTS =
      """
      {"kind":"EVENTS","issuer":"test","sid":"partial-719cf24c-e92c-4ce8-8fba-aee5bab4a953","sub":"user-partial-719cf24c-e92c-4ce8-8fba-aee5bab4a953","audience":"forbidden-b7e321e8","clientId":null,"notBefore":"2026-11-30T01:06:10Z","reason":"BACKCHANNEL_LOGOUT","revocationId":"287dd44f-6272-4df1-ac4b-edeefc3bc4b0","jti":"287dd44f-6272-4df1-ac4b-edeefc3bc4b0","events":[{"event":{"type":"SESSION_REVOKED","reason":"BACKCHANNEL_LOGOUT","issuer":"test","clientId":"forbidden-b7e321e8","sid":"partial-719cf24c-e92c-4ce8-8fba-aee5bab4a953","sub":"user-partial-719cf24c-e92c-4ce8-8fba-aee5bab4a953","sessionIds":[],"at":"2026-11-30T01:06:10.863Z","notBefore":null},"dedupeKey":"sid:partial-719cf24c-e92c-4ce8-8fba-aee5bab4a953","origin":"287dd44f-6272-4df1-ac4b-edeefc3bc4b0"}]}""";

  // Written by the previous record's factories (ofSid, ofUser, ofClient, withJti, ofEvents) through
  // the same mapper settings: every kind, with the null fields of each.
  private static final String TOKEN_SID =
      """
      {"kind":"SID","issuer":"test","sid":"sid-1","sub":"user-1","audience":"app","clientId":null,"notBefore":"2026-11-30T01:06:09Z","reason":"BACKCHANNEL_LOGOUT","revocationId":"jti-1","jti":"jti-1","events":null}""";
  private static final String ADMIN_SID =
      """
      {"kind":"SID","issuer":"test","sid":"sid-2","sub":null,"audience":"app","clientId":null,"notBefore":"2026-11-30T01:07:00.123Z","reason":"KEYCLOAK_ADMIN","revocationId":"LOGOUT:action-1:sid-2","jti":null,"events":null}""";
  private static final String TOKEN_USER =
      """
      {"kind":"USER","issuer":"test","sid":null,"sub":"user-3","audience":"app","clientId":null,"notBefore":"2026-11-30T01:06:09Z","reason":"BACKCHANNEL_LOGOUT","revocationId":"jti-3","jti":"jti-3","events":null}""";
  private static final String ADMIN_CLIENT =
      """
      {"kind":"CLIENT","issuer":"test","sid":null,"sub":null,"audience":null,"clientId":"app","notBefore":"2026-11-30T01:08:00Z","reason":"KEYCLOAK_ADMIN","revocationId":"PUSH_NOT_BEFORE:action-4","jti":"keycloak-admin:action-4","events":null}""";
  private static final String USER_EVENTS =
      """
      {"kind":"EVENTS","issuer":"test","sid":null,"sub":"user-3","audience":"app","clientId":null,"notBefore":"2026-11-30T01:06:09Z","reason":"BACKCHANNEL_LOGOUT","revocationId":"jti-3","jti":"jti-3","events":[{"event":{"type":"USER_REVOKED","reason":"BACKCHANNEL_LOGOUT","issuer":"test","clientId":"app","sid":null,"sub":"user-3","sessionIds":["s-1","s-2"],"at":"2026-11-30T01:06:10.500Z","notBefore":null},"dedupeKey":"user:user-3:jti-3","origin":"jti-3"}]}""";

  // As older versions wrote it: no revocation time, no events field.
  private static final String OLDER_SID =
      """
      {"kind":"SID","issuer":"test","sid":"sid-5","sub":"user-5","audience":"app","clientId":null,"reason":"BACKCHANNEL_LOGOUT","revocationId":"jti-5","jti":"jti-5"}""";

  /** The production mapper's settings (quarkus-jackson): ISO instants, unknown fields ignored. */
  private final ObjectMapper json =
      JsonMapper.builder()
          .findAndAddModules()
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  /** Jackson's defaults: an unexpected field is an error. */
  private final ObjectMapper strict = new ObjectMapper().findAndRegisterModules();

  private PendingRevocation read(String line) throws JsonProcessingException {
    return json.readValue(line, PendingRevocation.class);
  }

  @Test
  void whenABrokerWrittenSidLineIsReadThenItIsASessionRevocationGuardedByItsSid() throws Exception {
    assertThat(read(BROKER_SID))
        .isEqualTo(
            new SessionRevocation(
                "test",
                "poison-4af95d23-1860-47a9-89ad-0a1c7b8bca80",
                "user-poison-4af95d23-1860-47a9-89ad-0a1c7b8bca80",
                "forbidden-18d3aa4f",
                Instant.parse("2026-11-30T01:06:09Z"),
                Reason.BACKCHANNEL_LOGOUT,
                "0de249d2-d8d0-4e92-a1fc-fa5b330723fa",
                "0de249d2-d8d0-4e92-a1fc-fa5b330723fa"));
    assertThat(read(BROKER_SID).replayGuardSid())
        .isEqualTo("poison-4af95d23-1860-47a9-89ad-0a1c7b8bca80");
  }

  @Test
  void whenAnAdminSidLineIsReadThenItHasNoReplayGuard() throws Exception {
    PendingRevocation revocation = read(ADMIN_SID);

    assertThat(revocation)
        .isEqualTo(
            new SessionRevocation(
                "test",
                "sid-2",
                null,
                "app",
                Instant.parse("2026-11-30T01:07:00.123Z"),
                Reason.KEYCLOAK_ADMIN,
                "LOGOUT:action-1:sid-2",
                null));
    assertThat(revocation.replayGuardSid()).isNull();
  }

  @Test
  void whenAUserLineIsReadThenItIsAUserRevocationWithoutReplayGuard() throws Exception {
    PendingRevocation revocation = read(TOKEN_USER);

    assertThat(revocation)
        .isEqualTo(
            new UserRevocation(
                "test",
                "user-3",
                "app",
                Instant.parse("2026-11-30T01:06:09Z"),
                Reason.BACKCHANNEL_LOGOUT,
                "jti-3",
                "jti-3"));
    assertThat(revocation.replayGuardSid()).isNull();
  }

  @Test
  void whenAClientLineIsReadThenItIsAClientRevocationMarkingTheActionId() throws Exception {
    assertThat(read(ADMIN_CLIENT))
        .isEqualTo(
            new ClientRevocation(
                "test",
                "app",
                Instant.parse("2026-11-30T01:08:00Z"),
                Reason.KEYCLOAK_ADMIN,
                "PUSH_NOT_BEFORE:action-4",
                "keycloak-admin:action-4"));
  }

  @Test
  void whenAnEventsLineIsReadThenItHoldsTheOwedAppendsInOrder() throws Exception {
    RevocationEvent event =
        new RevocationEvent(
            EventType.USER_REVOKED,
            Reason.BACKCHANNEL_LOGOUT,
            "test",
            "app",
            null,
            "user-3",
            List.of("s-1", "s-2"),
            Instant.parse("2026-11-30T01:06:10.500Z"),
            null);

    PendingRevocation revocation = read(USER_EVENTS);

    assertThat(revocation)
        .isEqualTo(
            new OwedEvents(
                "test",
                null,
                Reason.BACKCHANNEL_LOGOUT,
                "jti-3",
                "jti-3",
                List.of(new Append(event, "user:user-3:jti-3", "jti-3"))));
    assertThat(revocation.replayGuardSid()).isNull();
  }

  @Test
  void whenTheEventsOwedAfterASidLogoutAreReadThenTheirJtiMarkerStaysBesideTheSid()
      throws Exception {
    PendingRevocation revocation = read(BROKER_EVENTS);

    assertThat(revocation).isInstanceOf(OwedEvents.class);
    OwedEvents owed = (OwedEvents) revocation;
    assertThat(owed.events()).hasSize(1);
    assertThat(owed.events().get(0).dedupeKey())
        .isEqualTo("sid:partial-719cf24c-e92c-4ce8-8fba-aee5bab4a953");
    assertThat(owed.replayGuardSid()).isEqualTo("partial-719cf24c-e92c-4ce8-8fba-aee5bab4a953");
    assertThat(owed.jti()).isEqualTo("287dd44f-6272-4df1-ac4b-edeefc3bc4b0");
  }

  @Test
  void whenALineOfAnOlderVersionLacksOptionalFieldsThenItIsReadWithThemNull() throws Exception {
    PendingRevocation revocation = read(OLDER_SID);

    assertThat(revocation)
        .isEqualTo(
            new SessionRevocation(
                "test",
                "sid-5",
                "user-5",
                "app",
                null,
                Reason.BACKCHANNEL_LOGOUT,
                "jti-5",
                "jti-5"));
  }

  static Stream<String> previousLines() {
    return Stream.of(
        BROKER_SID, BROKER_EVENTS, TOKEN_SID, ADMIN_SID, TOKEN_USER, ADMIN_CLIENT, USER_EVENTS);
  }

  @ParameterizedTest
  @MethodSource("previousLines")
  void whenAPreviousLineIsWrittenAgainThenItIsTheSameLineWithoutTheFieldsItsKindNeverHad(
      String line) throws Exception {
    ObjectNode expected = (ObjectNode) json.readTree(line);
    expected.remove(foreignFields(expected.get("kind").asText()));

    String written = json.writeValueAsString(read(line));

    assertThat(written).isEqualTo(json.writeValueAsString(expected));
    assertThat(read(written)).isEqualTo(read(line));
  }

  @ParameterizedTest
  @MethodSource("previousLines")
  void whenAPreviousLineIsReadByAStrictMapperThenTheFieldsItsKindNeverHadAreNoError(String line)
      throws Exception {
    assertThat(strict.readValue(line, PendingRevocation.class)).isEqualTo(read(line));
  }

  @ParameterizedTest
  @MethodSource("previousLines")
  void whenALineWrittenNowIsReadByThePreviousVersionThenItMeansTheSame(String line)
      throws Exception {
    PreviousPendingRevocation previous = json.readValue(line, PreviousPendingRevocation.class);
    String written = json.writeValueAsString(read(line));

    PreviousPendingRevocation readByPrevious =
        json.readValue(written, PreviousPendingRevocation.class);

    assertThat(readByPrevious)
        .usingRecursiveComparison()
        .ignoringFields(foreignFields(previous.kind()).toArray(String[]::new))
        .isEqualTo(previous);
    assertThat(readByPrevious.kind()).isEqualTo(previous.kind());
  }

  @Test
  void whenEachKindIsWrittenThenItsKindLeadsTheLine() throws Exception {
    assertThat(json.writeValueAsString(read(TOKEN_SID))).startsWith("{\"kind\":\"SID\",");
    assertThat(json.writeValueAsString(read(TOKEN_USER))).startsWith("{\"kind\":\"USER\",");
    assertThat(json.writeValueAsString(read(ADMIN_CLIENT))).startsWith("{\"kind\":\"CLIENT\",");
    assertThat(json.writeValueAsString(read(USER_EVENTS))).startsWith("{\"kind\":\"EVENTS\",");
  }

  @Test
  void whenTheEventsOwedAfterARevocationAreTakenThenTheyKeepItsIdsAndReplayGuard() {
    SessionRevocation logout = (SessionRevocation) readQuietly(BROKER_SID);
    List<Append> appends = ((OwedEvents) readQuietly(BROKER_EVENTS)).events();

    OwedEvents owed = PendingRevocation.ofEvents(logout, appends, logout.jti());

    assertThat(owed.issuer()).isEqualTo(logout.issuer());
    assertThat(owed.sid()).isEqualTo(logout.sid());
    assertThat(owed.reason()).isEqualTo(logout.reason());
    assertThat(owed.revocationId()).isEqualTo(logout.revocationId());
    assertThat(owed.replayGuardSid()).isEqualTo(logout.replayGuardSid());
    assertThat(owed.events()).isEqualTo(appends);
  }

  @Test
  void whenAJtiIsReplacedThenOnlyTheJtiChanges() throws Exception {
    for (String line : List.of(TOKEN_SID, TOKEN_USER, ADMIN_CLIENT, USER_EVENTS)) {
      PendingRevocation revocation = read(line);

      PendingRevocation other = revocation.withJti("other");

      assertThat(other).isInstanceOf(revocation.getClass());
      assertThat(other.jti()).isEqualTo("other");
      assertThat(other.withJti(revocation.jti())).isEqualTo(revocation);
    }
  }

  static Stream<Arguments> linesMissingARequiredField() {
    return Stream.of(
        Arguments.of(without(TOKEN_SID, "sid"), "a revocation of kind SID needs a sid"),
        Arguments.of(without(TOKEN_USER, "sub"), "a revocation of kind USER needs a sub"),
        Arguments.of(
            without(ADMIN_CLIENT, "clientId"), "a revocation of kind CLIENT needs a clientId"),
        Arguments.of(
            without(ADMIN_CLIENT, "notBefore"), "a revocation of kind CLIENT needs a notBefore"),
        Arguments.of(
            without(USER_EVENTS, "events"), "a revocation of kind EVENTS needs its events"),
        Arguments.of(without(TOKEN_SID, "issuer"), "a revocation of kind SID needs an issuer"),
        Arguments.of(without(TOKEN_USER, "reason"), "a revocation of kind USER needs a reason"),
        Arguments.of(
            without(ADMIN_CLIENT, "revocationId"),
            "a revocation of kind CLIENT needs a revocationId"),
        Arguments.of(without(TOKEN_SID, "kind"), "missing type id property 'kind'"),
        Arguments.of(TOKEN_SID.replace("\"SID\"", "\"SESSION\""), "SESSION"));
  }

  @ParameterizedTest
  @MethodSource("linesMissingARequiredField")
  void whenALineLacksAFieldItsKindRequiresThenReadingItFailsNamingTheField(
      String line, String message) {
    assertThatThrownBy(() -> read(line))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining(message);
  }

  @Test
  void whenARevocationIsBuiltWithoutAFieldItsKindRequiresThenItIsRefused() {
    assertThatThrownBy(
            () ->
                new SessionRevocation(
                    "test", null, "user", "app", null, Reason.BACKCHANNEL_LOGOUT, "jti", "jti"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a revocation of kind SID needs a sid");
    assertThatThrownBy(
            () -> new ClientRevocation("test", "app", null, Reason.KEYCLOAK_ADMIN, "id", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a revocation of kind CLIENT needs a notBefore");
  }

  /** A line with {@code field} taken out. */
  static String without(String line, String field) {
    try {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode node = (ObjectNode) mapper.readTree(line);
      node.remove(field);
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private PendingRevocation readQuietly(String line) {
    try {
      return read(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The fields of the previous record that a revocation of {@code kind} never had. */
  private static Set<String> foreignFields(String kind) {
    return switch (kind) {
      case "SID" -> Set.of("clientId", "events");
      case "USER" -> Set.of("sid", "clientId", "events");
      case "CLIENT" -> Set.of("sid", "sub", "audience", "events");
      case "EVENTS" -> Set.of("sub", "audience", "clientId", "notBefore");
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /** The journal line as the previous broker version reads it (its record, without methods). */
  record PreviousPendingRevocation(
      String kind,
      String issuer,
      String sid,
      String sub,
      String audience,
      String clientId,
      Instant notBefore,
      Reason reason,
      String revocationId,
      String jti,
      List<Append> events) {}
}
