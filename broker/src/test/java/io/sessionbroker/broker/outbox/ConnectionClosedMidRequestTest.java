package io.sessionbroker.broker.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5: Redis closing the broker's connection while a command is in flight (CLIENT KILL, a
 * server restart or failover, a proxy dropping the connection, the server's client timeout) is an
 * outage like any other. The Vert.x Redis client fails the commands pending on a connection that
 * the server closed with {@code ErrorType "CONNECTION_CLOSED"}.
 */
@QuarkusTest
@WithTestResource(OutageTestResources.class)
class ConnectionClosedMidRequestTest {

  @InjectRedis RedisServer redis;
  @InjectTestIssuer TestIssuer issuer;
  @Inject RevocationRecorder recorder;

  @AfterEach
  void unpause() {
    redis.command("CLIENT UNPAUSE");
  }

  /** The logout's own Redis call is cut off: 200 (journaled) or 503, never 500. */
  @Test
  void whenTheConnectionClosesUnderALogoutThenItIsJournaledOrAnswered503() throws Exception {
    String client = "closed-" + UUID.randomUUID().toString().substring(0, 8);
    String sid = UUID.randomUUID().toString();
    assertThat(redis.command("CLIENT PAUSE 5000 WRITE")).isEqualTo("+OK");
    CompletableFuture<Integer> status =
        CompletableFuture.supplyAsync(
            () ->
                given()
                    .contentType(ContentType.URLENC)
                    .formParam("logout_token", issuer.logoutToken(client, sid, "user-" + sid))
                    .post("/backchannel-logout")
                    .statusCode());
    // The revocation script is held by the pause; the server then closes the connection under it
    // (well inside the 1 s Redis timeout).
    Thread.sleep(400);
    redis.command("CLIENT KILL TYPE normal");
    redis.command("CLIENT UNPAUSE");

    int answered = status.get(60, TimeUnit.SECONDS);
    assertThat(answered).as("logout answered after Redis closed the connection").isIn(200, 503);
    if (answered == 200) {
      awaitEventFor(client, sid);
    }
  }

  /** A journaled logout whose replay is cut off by a closed connection is retried, not dropped. */
  @Test
  void whenTheConnectionClosesUnderAJournalReplayThenTheLogoutStillReachesTheStream()
      throws Exception {
    String client = "replay-closed-" + UUID.randomUUID().toString().substring(0, 8);
    String sid = UUID.randomUUID().toString();
    long deadLettersBefore = recorder.deadLetterCount();
    logOutWhileRedisHoldsWrites(client, sid);
    // The replayer retries every 200 ms and waits up to 1 s per attempt: a replay is in flight
    // for most of any second. Close the broker's connections a few times under it.
    for (int i = 0; i < 6; i++) {
      Thread.sleep(300);
      redis.command("CLIENT KILL TYPE normal");
    }
    redis.command("CLIENT UNPAUSE");

    awaitEventFor(client, sid);
    assertThat(recorder.deadLetterCount()).isEqualTo(deadLettersBefore);
  }

  /**
   * The same through an ordinary Redis restart: a graceful SHUTDOWN closes the broker's connections
   * while a journal replay waits for its reply.
   */
  @Test
  void whenRedisRestartsUnderAJournalReplayThenTheLogoutStillReachesTheStream() throws Exception {
    String client = "replay-restart-" + UUID.randomUUID().toString().substring(0, 8);
    String sid = UUID.randomUUID().toString();
    long deadLettersBefore = recorder.deadLetterCount();
    logOutWhileRedisHoldsWrites(client, sid);
    Thread.sleep(500);
    redis.command("SHUTDOWN");
    redis.stop(); // the process has exited; this only releases it for the restart
    redis.restart();

    awaitEventFor(client, sid);
    assertThat(recorder.deadLetterCount()).isEqualTo(deadLettersBefore);
  }

  private void awaitEventFor(String client, String sid) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(streamEvents("sb:events:test:" + client))
                    .as("events of %s", client)
                    .anyMatch(event -> event.contains("\"sid\":\"" + sid + "\"")));
  }

  private java.util.List<String> streamEvents(String stream) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection.sync().xrange(stream, Range.create("-", "+")).stream()
          .map(message -> EventStreams.event(message))
          .toList();
    } finally {
      client.shutdown();
    }
  }

  /** Pauses Redis's writes for 20 s and sends a logout, which is journaled and answered 200. */
  private void logOutWhileRedisHoldsWrites(String client, String sid) {
    assertThat(redis.command("CLIENT PAUSE 20000 WRITE")).isEqualTo("+OK");
    int status =
        given()
            .contentType(ContentType.URLENC)
            .formParam("logout_token", issuer.logoutToken(client, sid, "user-" + sid))
            .post("/backchannel-logout")
            .statusCode();
    assertThat(status).as("logout journaled while Redis holds writes").isEqualTo(200);
  }
}
