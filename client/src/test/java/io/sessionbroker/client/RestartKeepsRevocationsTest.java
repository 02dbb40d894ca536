package io.sessionbroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sessionbroker.testsupport.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client restarted with a file {@link LastSeenIdStore} resumes after the last event it delivered,
 * so it never reads the revocations before that id again, and its revoked set starts empty.
 * Sessions can outlive the process (persistent or replicated session stores; a Django-style
 * database session): a session whose SSO session was logged out before the restart, and that made
 * no request in between, must not be reported live after it (SPEC §3.4: forgetting never makes a
 * revoked session look live).
 */
class RestartKeepsRevocationsTest {

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
  void whenASidWasRevokedBeforeTheRestartThenItsOlderSessionsStayRevokedAfterIt(@TempDir Path dir) {
    SessionBrokerOptions options =
        SessionBrokerOptions.builder()
            .redisUri(redis.uri())
            .issuerAlias("acme")
            .clientId("app-restart")
            .lastSeenIdStore(LastSeenIdStore.file(dir.resolve("last-seen-id")))
            .build();
    Instant signedIn = Instant.now().minus(Duration.ofMinutes(5));

    try (FakeBroker broker = new FakeBroker(redis.uri(), options);
        SessionBrokerClient before = SessionBrokerClient.start(options)) {
      broker.revoke(FakeBroker.sessionRevoked("sid-logged-out"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> before.isRevoked("sid-logged-out", null, signedIn));
    }

    try (SessionBrokerClient after = SessionBrokerClient.start(options)) {
      assertThat(after.isRevoked("sid-logged-out", null, signedIn))
          .as("a session logged out before the restart, checked after it")
          .isTrue();
    }
  }

  @Test
  void whenAStoredCursorMeetsStartFromNowThenTheRevokedSetIsRebuiltAndListenersGetOnlyNewerEvents(
      @TempDir Path dir) {
    RecordingStore store = new RecordingStore(LastSeenIdStore.file(dir.resolve("last-seen-id")));
    SessionBrokerOptions options =
        SessionBrokerOptions.builder()
            .redisUri(redis.uri())
            .issuerAlias("acme")
            .clientId("app-restart-now")
            .startFrom(StartPosition.NOW)
            .catchUpBatchSize(1)
            .lastSeenIdStore(store)
            .build();
    Instant signedIn = Instant.now().minus(Duration.ofMinutes(5));
    String whileAway;

    try (FakeBroker broker = new FakeBroker(redis.uri(), options)) {
      try (SessionBrokerClient before = SessionBrokerClient.start(options)) {
        broker.revoke(FakeBroker.userRevoked("alice"));
        String last = broker.revoke(FakeBroker.sessionRevoked("sid-before"));
        await().atMost(Duration.ofSeconds(30)).until(() -> store.load().equals(Optional.of(last)));
      }
      whileAway = broker.append(FakeBroker.sessionRevoked("sid-while-away"));
    }
    store.saved.clear();

    RecordingListener listener = new RecordingListener();
    try (SessionBrokerClient after = SessionBrokerClient.start(options, listener)) {
      assertThat(after.isRevoked(null, "alice", signedIn))
          .as("a user logged out everywhere before the restart")
          .isTrue();
      assertThat(after.isRevoked("sid-before", null, signedIn)).isTrue();
      assertThat(after.isRevoked("sid-while-away", null, signedIn)).isTrue();
      assertThat(listener.ids())
          .as("listeners get each event once across the restart")
          .containsExactly(whileAway);
      assertThat(after.lastSeenId()).contains(whileAway);
    }
    assertThat(store.saved)
        .as("the stored id never moves back while the start-up read is below it")
        .containsExactly(whileAway);
  }

  /** A store that records every id saved. */
  private static final class RecordingStore implements LastSeenIdStore {
    private final LastSeenIdStore delegate;
    final List<String> saved = new CopyOnWriteArrayList<>();

    RecordingStore(LastSeenIdStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<String> load() {
      return delegate.load();
    }

    @Override
    public void save(String lastSeenId) {
      saved.add(lastSeenId);
      delegate.save(lastSeenId);
    }
  }
}
