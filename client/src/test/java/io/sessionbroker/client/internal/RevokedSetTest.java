package io.sessionbroker.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionbroker.client.EventType;
import io.sessionbroker.client.ForgottenRevocationPolicy;
import io.sessionbroker.client.Reason;
import io.sessionbroker.client.RevocationEvent;
import io.sessionbroker.client.SessionBrokerOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
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

  private RevokedSet withPolicy(int maxEntries, Duration skew, ForgottenRevocationPolicy policy) {
    return new RevokedSet(maxEntries, Duration.ofHours(10), clock, skew, policy);
  }

  @Test
  void whenRevokedSidIsEvictedThenOlderSessionStillCountsAsRevokedByDefault() {
    RevokedSet set =
        withPolicy(2, Duration.ZERO, SessionBrokerOptions.DEFAULT_FORGOTTEN_REVOCATION_POLICY);
    Instant createdAt = NOW.minusSeconds(600);
    set.apply(sessionRevoked("sid-evicted", NOW.minusSeconds(30)));
    set.apply(sessionRevoked("sid-b", NOW.minusSeconds(20)));
    set.apply(sessionRevoked("sid-c", NOW.minusSeconds(10)));

    assertThat(set.size()).isEqualTo(2);
    assertThat(set.watermark()).contains(NOW.minusSeconds(30));
    assertThat(set.isRevoked("sid-evicted", "user-x", createdAt)).isTrue();
  }

  @Test
  void whenSessionWasCreatedAfterTheWatermarkThenItIsLiveAndThePolicyIsNotAsked() {
    List<String> asked = new ArrayList<>();
    RevokedSet set =
        withPolicy(
            1,
            Duration.ZERO,
            (sid, sub, createdAt) -> {
              asked.add(sid);
              return true;
            });
    set.apply(sessionRevoked("sid-a", NOW.minusSeconds(30)));
    set.apply(sessionRevoked("sid-b", NOW.minusSeconds(20)));

    assertThat(set.isRevoked("sid-live", null, NOW.minusSeconds(29))).isFalse();
    assertThat(asked).isEmpty();
  }

  @Test
  void whenSessionIsOlderThanTheWatermarkThenTheConfiguredPolicyAnswers() {
    List<String> asked = new ArrayList<>();
    RevokedSet set =
        withPolicy(
            1,
            Duration.ZERO,
            (sid, sub, createdAt) -> {
              asked.add(sid);
              return "sid-a".equals(sid);
            });
    set.apply(sessionRevoked("sid-a", NOW.minusSeconds(30)));
    set.apply(sessionRevoked("sid-b", NOW.minusSeconds(20)));

    assertThat(set.isRevoked("sid-a", null, NOW.minusSeconds(60))).isTrue();
    assertThat(set.isRevoked("sid-other", null, NOW.minusSeconds(60))).isFalse();
    assertThat(asked).containsExactly("sid-a", "sid-other");
  }

  @Test
  void whenThePolicyThrowsThenTheSessionCountsAsRevoked() {
    RevokedSet set =
        withPolicy(
            1,
            Duration.ZERO,
            (sid, sub, createdAt) -> {
              throw new IllegalStateException("broker unreachable");
            });
    set.apply(sessionRevoked("sid-a", NOW.minusSeconds(30)));
    set.apply(sessionRevoked("sid-b", NOW.minusSeconds(20)));

    assertThat(set.isRevoked("sid-a", null, NOW.minusSeconds(60))).isTrue();
  }

  @Test
  void whenEntryHasExpiredThenOlderSessionGoesToThePolicyInsteadOfLookingLive() {
    RevokedSet set =
        withPolicy(10, Duration.ZERO, SessionBrokerOptions.DEFAULT_FORGOTTEN_REVOCATION_POLICY);
    Instant createdAt = NOW.minus(Duration.ofDays(2));
    set.apply(userRevoked("alice", NOW));
    clock.now = NOW.plus(Duration.ofHours(11)); // the 10 h entry is expired, not yet dropped

    assertThat(set.isRevoked(null, "alice", createdAt)).isTrue();
    set.apply(sessionRevoked("sid-later", clock.now)); // drops the expired entry
    assertThat(set.watermark()).contains(NOW);
    assertThat(set.isRevoked(null, "alice", createdAt)).isTrue();
    assertThat(set.isRevoked(null, "alice", NOW.plusSeconds(1))).isFalse();
  }

  @Test
  void whenSessionIsCreatedWithinTheSkewAfterAUserRevocationThenItCountsAsRevoked() {
    RevokedSet set =
        withPolicy(10, Duration.ofSeconds(5), ForgottenRevocationPolicy.TREAT_AS_REVOKED);
    set.apply(userRevoked("alice", NOW));

    // The app's clock may run up to 5 s ahead of the broker's: 4 s "after" may be before.
    assertThat(set.isRevoked(null, "alice", NOW.plusSeconds(4))).isTrue();
    assertThat(set.isRevoked(null, "alice", NOW.plusSeconds(6))).isFalse();
  }

  @Test
  void whenSessionIsCreatedWithinTheSkewAfterAClientNotBeforeThenItCountsAsRevoked() {
    RevokedSet set =
        withPolicy(10, Duration.ofSeconds(5), ForgottenRevocationPolicy.TREAT_AS_REVOKED);
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
            NOW));

    assertThat(set.isRevoked(null, "bob", NOW.plusSeconds(5).minusMillis(1))).isTrue();
    assertThat(set.isRevoked(null, "bob", NOW.plusSeconds(5))).isFalse();
  }

  @Test
  void whenSidIsRevokedThenSessionsCreatedBeforeOrWithinSkewAreRevokedButALaterSignInIsNot() {
    RevokedSet set =
        withPolicy(10, Duration.ofSeconds(5), ForgottenRevocationPolicy.TREAT_AS_REVOKED);
    set.apply(sessionRevoked("sid-1", NOW));

    assertThat(set.isRevoked("sid-1", null, NOW.minusSeconds(3600))).isTrue();
    assertThat(set.isRevoked("sid-1", null, NOW.plusSeconds(3))).isTrue();
    // Keycloak signed the user in again in the same SSO session after a client-only logout.
    assertThat(set.isRevoked("sid-1", null, NOW.plusSeconds(60))).isFalse();
  }

  @Test
  void forgetBeforeOnlyEverRaisesTheWatermark() {
    RevokedSet set = new RevokedSet(10, Duration.ofHours(10), clock);
    set.forgetBefore(NOW.minus(Duration.ofHours(24)));
    assertThat(set.watermark()).contains(NOW.minus(Duration.ofHours(24)));
    set.forgetBefore(NOW.minus(Duration.ofHours(30)));
    assertThat(set.watermark()).contains(NOW.minus(Duration.ofHours(24)));
    set.apply(sessionRevoked("sid-expired", NOW.minus(Duration.ofHours(11))));
    assertThat(set.watermark()).contains(NOW.minus(Duration.ofHours(11)));
    set.forgetBefore(NOW.minus(Duration.ofHours(24)));
    assertThat(set.watermark()).contains(NOW.minus(Duration.ofHours(11)));
    assertThat(set.isRevoked("sid-live", null, NOW.minus(Duration.ofHours(12)))).isTrue();
    assertThat(set.isRevoked("sid-live", null, NOW.minus(Duration.ofHours(10)))).isFalse();
  }
}
