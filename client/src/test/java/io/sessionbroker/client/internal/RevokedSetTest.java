package io.sessionbroker.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionbroker.client.EventType;
import io.sessionbroker.client.Reason;
import io.sessionbroker.client.RevocationEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RevokedSetTest {

  private static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");

  /** A clock the test moves forward. */
  private static final class MutableClock extends Clock {
    private Instant now = NOW;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final MutableClock clock = new MutableClock();

  private static RevocationEvent sessionRevoked(String sid, Instant at, String... sessionIds) {
    return new RevocationEvent(
        "1-0",
        EventType.SESSION_REVOKED,
        Reason.ADMIN,
        "acme",
        "app1",
        sid,
        null,
        List.of(sessionIds),
        at,
        null);
  }

  private static RevocationEvent userRevoked(String sub, Instant at) {
    return new RevocationEvent(
        "1-0",
        EventType.USER_REVOKED,
        Reason.ADMIN,
        "acme",
        "app1",
        null,
        sub,
        List.of(),
        at,
        null);
  }

  @Test
  void whenMoreEntriesThanMaxThenOldestAreEvictedFirst() {
    RevokedSet set = new RevokedSet(3, Duration.ofHours(10), clock);

    for (int i = 0; i < 5; i++) {
      set.apply(sessionRevoked("sid-" + i, NOW));
    }

    assertThat(set.size()).isEqualTo(3);
    assertThat(set.isRevoked("sid-0")).isFalse();
    assertThat(set.isRevoked("sid-1")).isFalse();
    assertThat(set.isRevoked("sid-2")).isTrue();
    assertThat(set.isRevoked("sid-4")).isTrue();
  }

  @Test
  void whenSidAndSessionIdsAreRevokedThenEachCountsAsOneEntry() {
    RevokedSet set = new RevokedSet(10, Duration.ofHours(10), clock);

    set.apply(sessionRevoked("sid-1", NOW, "S1", "S2"));

    assertThat(set.size()).isEqualTo(3);
    assertThat(set.isSessionRevoked("S2")).isTrue();
    assertThat(set.isSessionRevoked("sid-1")).isFalse();
  }

  @Test
  void whenTtlHasPassedSinceAtThenEntryIsNoLongerRevoked() {
    RevokedSet set = new RevokedSet(10, Duration.ofHours(10), clock);
    set.apply(sessionRevoked("sid-1", NOW));

    clock.now = NOW.plus(Duration.ofHours(10)).plusMillis(1);

    assertThat(set.isRevoked("sid-1")).isFalse();
  }

  @Test
  void whenEventIsOlderThanTtlThenItIsNotStored() {
    RevokedSet set = new RevokedSet(10, Duration.ofHours(10), clock);

    set.apply(sessionRevoked("sid-ancient", NOW.minus(Duration.ofHours(11))));

    assertThat(set.size()).isZero();
  }

  @Test
  void whenExpiredEntriesLeadTheQueueThenNextApplyDropsThem() {
    RevokedSet set = new RevokedSet(10, Duration.ofHours(1), clock);
    set.apply(sessionRevoked("sid-1", NOW));
    clock.now = NOW.plus(Duration.ofHours(2));

    set.apply(sessionRevoked("sid-2", clock.now));

    assertThat(set.size()).isEqualTo(1);
  }

  @Test
  void whenUserIsRevokedTwiceThenLaterInstantWins() {
    RevokedSet set = new RevokedSet(10, Duration.ofHours(10), clock);

    set.apply(userRevoked("alice", NOW));
    set.apply(userRevoked("alice", NOW.minusSeconds(600)));

    assertThat(set.isRevoked(null, "alice", NOW.minusSeconds(1))).isTrue();
    assertThat(set.isRevoked(null, "alice", NOW.plusSeconds(1))).isFalse();
    assertThat(set.size()).isEqualTo(1);
  }

  @Test
  void whenClientIsRevokedThenOnlySessionsCreatedBeforeNotBeforeAreRevoked() {
    RevokedSet set = new RevokedSet(10, Duration.ofHours(10), clock);

    set.apply(
        new RevocationEvent(
            "1-0",
            EventType.CLIENT_REVOKED,
            Reason.KEYCLOAK_ADMIN,
            "acme",
            "app1",
            null,
            null,
            List.of(),
            NOW,
            NOW.minusSeconds(60)));

    assertThat(set.isRevoked("sid-x", "bob", NOW.minusSeconds(61))).isTrue();
    assertThat(set.isRevoked("sid-x", "bob", NOW.minusSeconds(59))).isFalse();
  }

  @Test
  void whenManyRepeatedRevocationsThenBookkeepingStaysBounded() {
    RevokedSet set = new RevokedSet(2, Duration.ofHours(10), clock);

    for (int i = 0; i < 1000; i++) {
      set.apply(userRevoked("alice", NOW.plusMillis(i)));
    }

    assertThat(set.size()).isEqualTo(1);
    assertThat(set.isRevoked(null, "alice", NOW.plusMillis(998))).isTrue();
  }
}
