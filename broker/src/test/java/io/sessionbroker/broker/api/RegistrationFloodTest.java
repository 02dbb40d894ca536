package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * One app's registrations must not end single sign-out for the others. Any client with a service
 * account may register sessions (each living up to {@code session-broker.sessions.max-ttl}, 30
 * days). With the {@code maxmemory-policy noeviction} that docs/operations.md asks for, a full
 * Redis refuses every write, so without a bound every other client's logout would be journaled,
 * answered 200 and never reach its stream (SPEC §3.3, §5), and every other app's sign-in would
 * fail, for as long as the flood lives. Here Redis has 2 MB of room left when app2 starts flooding;
 * it registers until the broker refuses it (RegistrationHeadroom); then app1's logout must still
 * reach app1's stream, and app1's sign-in must still be registered.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RegistrationFloodTest {

  private static final int MAX_ATTEMPTS = 100_000;

  @InjectTestIssuer TestIssuer issuer;

  @InjectRedis RedisServer redisServer;

  @Inject RedisDataSource redis;

  @Inject MeterRegistry metrics;

  private final AtomicReference<io.restassured.response.Response> refusal = new AtomicReference<>();

  @Test
  void whenOneAppRegistersUntilRefusedThenAnotherAppsLogoutStillReachesItsStream()
      throws Exception {
    String sid = "sid-" + UUID.randomUUID();
    register("app1", "S-" + UUID.randomUUID(), sid);
    whileApp2HasFloodedRegistrations(
        () -> {
          io.restassured.response.Response refusal = this.refusal.get();
          assertThat(refusal.header("Retry-After")).as("Retry-After of the refusal").isNotBlank();
          assertThat(refusal.jsonPath().getString("code")).isEqualTo("registry_full");

          int status =
              given()
                  .contentType(ContentType.URLENC)
                  .formParam("logout_token", issuer.logoutToken("app1", sid, null))
                  .when()
                  .post("/backchannel-logout")
                  .statusCode();
          assertThat(status).isEqualTo(200);

          Awaitility.await("app1's event for the accepted logout")
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> EventStreams.holdsEventFor(redis, "app1", sid));
        });
  }

  @Test
  void whenOneAppRegistersUntilRefusedThenAnotherAppStillRegistersItsSignIn() throws Exception {
    register("app1", "S-" + UUID.randomUUID(), "sid-" + UUID.randomUUID());
    whileApp2HasFloodedRegistrations(
        () -> {
          io.restassured.response.Response signIn =
              given()
                  .auth()
                  .oauth2(issuer.accessToken("app1"))
                  .contentType(ContentType.JSON)
                  .body(
                      Map.of(
                          "sessionId", "S-" + UUID.randomUUID(), "sid", "sid-" + UUID.randomUUID()))
                  .when()
                  .post("/api/v1/sessions");
          assertThat(signIn.statusCode())
              .as("app1's registration after app2's flood: %s", signIn.asString())
              .isEqualTo(201);
        });
  }

  /**
   * Leaves Redis 2 MB of room, lets app2 register until the broker refuses it (503), runs {@code
   * then}, and gives Redis unlimited memory again, waiting until the broker has read that.
   */
  private void whileApp2HasFloodedRegistrations(Runnable then) throws Exception {
    long used = usedMemory();
    assertThat(redisServer.command("CONFIG SET maxmemory-policy noeviction")).isEqualTo("+OK");
    assertThat(redisServer.command("CONFIG SET maxmemory " + (used + 2 * 1024 * 1024)))
        .isEqualTo("+OK");
    try {
      // The broker reads maxmemory on a timer, not per registration (RegistrationHeadroom).
      Awaitility.await("the broker's reading of maxmemory")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !Double.isNaN(usedShareSeenByBroker()));
      int stored = flood("app2");
      assertThat(stored).as("registrations of the flooding app").isPositive();
      assertThat(refusal.get().statusCode()).as("the flooding app's refusal").isEqualTo(503);
      then.run();
    } finally {
      redisServer.command("CONFIG SET maxmemory 0");
      // The next test of this broker must not start from this test's reading of maxmemory.
      Awaitility.await("the broker's reading of unlimited memory")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> Double.isNaN(usedShareSeenByBroker()));
    }
  }

  /**
   * Registers sessions of {@code clientId} from four threads until one is refused; the first
   * refusal is kept in {@link #refusal}.
   */
  private int flood(String clientId) throws Exception {
    String token = issuer.accessToken(clientId);
    AtomicBoolean refused = new AtomicBoolean();
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger stored = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        running.add(
            threads.submit(
                () -> {
                  while (!refused.get() && attempts.incrementAndGet() <= MAX_ATTEMPTS) {
                    io.restassured.response.Response response =
                        given()
                            .auth()
                            .oauth2(token)
                            .contentType(ContentType.JSON)
                            .body(
                                Map.of(
                                    "sessionId",
                                    "F-" + UUID.randomUUID(),
                                    "sid",
                                    "sid-" + UUID.randomUUID(),
                                    "sub",
                                    "user-" + UUID.randomUUID()))
                            .when()
                            .post("/api/v1/sessions");
                    if (response.statusCode() == 201) {
                      stored.incrementAndGet();
                    } else if (refused.compareAndSet(false, true)) {
                      refusal.set(response);
                    }
                  }
                }));
      }
      for (Future<?> thread : running) {
        thread.get();
      }
    } finally {
      threads.shutdownNow();
    }
    return stored.get();
  }

  private void register(String clientId, String sessionId, String sid) {
    given()
        .auth()
        .oauth2(issuer.accessToken(clientId))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", sessionId, "sid", sid))
        .when()
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
  }

  private double usedShareSeenByBroker() {
    return metrics.find("sessionbroker.redis.memory.used.share").gauge().value();
  }

  private long usedMemory() {
    for (String line : redis.execute("INFO", "memory").toString().split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("INFO memory has no used_memory");
  }
}
