package io.sessionbroker.broker.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests of the operator feed's event rows. */
class FeedEventTest {

  @Test
  void whenStreamIdsDifferInLengthThenTheyAreOrderedAsNumbers() {
    List<String> ids = new ArrayList<>(List.of("999-5", "1000-0", "999-10"));

    ids.sort(FeedEvent::compareIds);

    assertThat(ids).containsExactly("999-5", "999-10", "1000-0");
  }

  @Test
  void whenAnEventIsParsedThenItsRowHasEveryField() {
    FeedEvent event =
        FeedEvent.of(
            "{\"v\":1,\"id\":\"17-1\",\"type\":\"session.revoked\",\"reason\":\"admin\","
                + "\"issuer\":\"demo\",\"clientId\":\"app1\",\"sid\":\"s1\",\"sub\":\"u1\","
                + "\"sessionIds\":[\"a\",\"b\"],\"at\":\"2026-11-29T20:00:00Z\",\"new\":true}");

    assertThat(event)
        .isEqualTo(
            new FeedEvent(
                "17-1", "2026-11-29T20:00:00Z", "app1", "session.revoked", "admin", "s1", "u1", 2));
  }

  @Test
  void whenAnEventIsNotJsonThenItsRowSaysUnreadable() {
    assertThat(FeedEvent.of("not json").type()).isEqualTo("unreadable");
  }
}
