package io.sessionbroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sessionbroker.testsupport.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
}
