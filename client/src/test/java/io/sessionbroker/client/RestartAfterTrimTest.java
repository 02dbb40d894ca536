package io.sessionbroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.KillArgs;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XTrimArgs;
import io.sessionbroker.testsupport.RedisServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revocation the client processed before a restart, and that the broker's retention trimmed from
 * the stream since, must not make its session look live after the restart (SPEC §3.4: forgetting
 * never makes a revoked session look live). The stored last seen id proves the events up to it were
 * processed, so the rebuilt revoked set knows less than the process did before.
 */
class RestartAfterTrimTest {

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Test
  void whenARevocationProcessedBeforeTheRestartWasTrimmedThenItsSessionIsNotReportedLive(
      @TempDir Path dir) {
    SessionBrokerOptions options =
        SessionBrokerOptions.builder()
            .redisUri(redis.uri())
            .issuerAlias("acme")
            .clientId("app1")
            .lastSeenIdStore(LastSeenIdStore.file(dir.resolve("last-seen-id")))
            .build();
    Instant now = Instant.now();
    // A persisted app session signed in 26 h ago, its SSO session logged out 25 h ago; it made no
    // request since, so nothing ended it yet.
    Instant signedIn = now.minus(Duration.ofHours(26));
    String newer;

    try (FakeBroker broker = new FakeBroker(redis.uri(), options);
        SessionBrokerClient before = SessionBrokerClient.start(options)) {
      broker.revoke(
          FakeBroker.sessionRevoked("sid-logged-out")
              .put("at", now.minus(Duration.ofHours(25)).toString()));
      newer =
          broker.revoke(
              FakeBroker.sessionRevoked("sid-other")
                  .put("at", now.minus(Duration.ofHours(1)).toString()));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> before.lastSeenId().equals(Optional.of(newer)));
      assertThat(before.isRevoked("sid-logged-out", null, signedIn)).isTrue();
      // Retention (24 h) trims the older event; the newer one stays.
      broker.redis().xtrim("sb:events:acme:app1", XTrimArgs.Builder.minId(newer).exactTrimming());
      assertThat(broker.redis().xlen("sb:events:acme:app1")).isEqualTo(1);
    }

    try (SessionBrokerClient after = SessionBrokerClient.start(options)) {
      assertThat(after.isRevoked("sid-logged-out", null, signedIn))
          .as("a session logged out before the restart, checked after it")
          .isTrue();
    }
  }

  @Test
  void
      whenAClientStartsWithoutAStoredCursorOnAnEmptyStreamThenSessionsOlderThanTheRetentionAreUnknown() {
    SessionBrokerOptions options =
        SessionBrokerOptions.builder()
            .redisUri(redis.uri())
            .issuerAlias("acme")
            .clientId("fresh-empty")
            .build();
    Instant now = Instant.now();
    // Nothing retained: the stream key expired, or retention trimmed every logout; one of them
    // may have ended a session signed in 26 h ago.
    try (SessionBrokerClient client = SessionBrokerClient.start(options)) {
      assertThat(client.revokedSetWatermark()).isPresent();
      assertThat(client.revokedSetWatermark().get())
          .isBetween(
              now.minus(Duration.ofHours(24)).minusSeconds(60),
              now.minus(Duration.ofHours(24)).plusSeconds(60));
      assertThat(client.isRevoked("sid-old", null, now.minus(Duration.ofHours(26))))
          .as("a session older than the retention, with no retained revocation")
          .isTrue();
      assertThat(client.isRevoked("sid-new", null, now.minus(Duration.ofHours(1))))
          .as("a session newer than the retention, with no retained revocation")
          .isFalse();
    }
  }

  @Test
  void whenTheStreamRetainsEntriesOlderThanTheRetentionThenTheWatermarkIsTheOldestEntry() {
    SessionBrokerOptions options =
        SessionBrokerOptions.builder()
            .redisUri(redis.uri())
            .issuerAlias("acme")
            .clientId("approximate-trim")
            .streamRetention(Duration.ofHours(24))
            .build();
    Instant now = Instant.now();
    // MINID ~ trims whole nodes only, so entries older than the retention may still be there;
    // nothing after the oldest retained one was trimmed.
    Instant oldest = now.minus(Duration.ofHours(30));
    try (FakeBroker broker = new FakeBroker(redis.uri(), options)) {
      broker
          .redis()
          .xadd(
              options.streamKey(),
              new XAddArgs().id(oldest.toEpochMilli() + "-0"),
              java.util.Map.of(
                  "event",
                  FakeBroker.sessionRevoked("sid-old-retained")
                      // Recorded an hour before Redis appended it (replayed from the journal).
                      .put("at", oldest.minus(Duration.ofHours(1)).toString())
                      .toString()));
    }
    try (SessionBrokerClient client = SessionBrokerClient.start(options)) {
      assertThat(client.revokedSetWatermark())
          .contains(oldest.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
      assertThat(client.isRevoked("sid-other", null, now.minus(Duration.ofHours(26))))
          .as("a session created after the oldest retained entry, not revoked by any")
          .isFalse();
      assertThat(client.isRevoked("sid-other", null, now.minus(Duration.ofMinutes(30 * 60 + 30))))
          .as("a session created before the oldest retained entry")
          .isTrue();
    }
  }

  @Test
  void streamRetentionMustBePositive() {
    assertThatThrownBy(() -> SessionBrokerOptions.builder().streamRetention(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streamRetention");
  }

  /** A clock the test moves forward. */
  private static final class MovableClock extends Clock {
    private volatile Instant now = Instant.now();

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

  @Test
  void whenAReconnectFindsEventsTrimmedUnreadThenTheWatermarkCoversThem() {
    MovableClock clock = new MovableClock();
    SessionBrokerOptions options =
        SessionBrokerOptions.builder()
            .redisUri(redis.uri())
            .issuerAlias("acme")
            .clientId("reconnect-trim")
            .streamRetention(Duration.ofHours(1))
            .clock(clock)
            .build();
    try (FakeBroker broker = new FakeBroker(redis.uri(), options);
        SessionBrokerClient client = SessionBrokerClient.start(options)) {
      String seen = broker.revoke(FakeBroker.sessionRevoked("sid-seen"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.lastSeenId().equals(Optional.of(seen)));
      Instant atStart = client.revokedSetWatermark().orElseThrow();

      // Away for hours: events appended unread, and retention trims past the last one read.
      clock.now = clock.now.plus(Duration.ofHours(3));
      broker.append(FakeBroker.sessionRevoked("sid-trimmed-unread"));
      String kept = broker.append(FakeBroker.sessionRevoked("sid-kept"));
      broker.redis().xtrim(options.streamKey(), XTrimArgs.Builder.minId(kept).exactTrimming());
      broker.redis().clientKill(KillArgs.Builder.typePubsub());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.lastSeenId().equals(Optional.of(kept)));

      Instant oldestRetained =
          Instant.ofEpochMilli(Long.parseLong(kept.substring(0, kept.indexOf('-'))));
      assertThat(oldestRetained).isAfter(atStart);
      assertThat(client.revokedSetWatermark())
          .as("revocations before the oldest retained entry may have been trimmed unread")
          .contains(oldestRetained);
    }
  }
}
