package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.BrokerTestResources;
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
 * Registrations are refused for every client once Redis's memory reaches {@code
 * session-broker.registration.max-memory-share} (RegistrationHeadroom), whoever filled it. Any
 * client with a service account may register sessions (each living up to {@code
 * session-broker.sessions.max-ttl}, 30 days) until that point: one compromised or buggy app then
 * makes every other app's sign-in fail with 503 registry_full (SPEC §3.1: registration is how an
 * app ties its session to the SSO session) for as long as its flood lives. The limit must fall on
 * the app that floods, not on the others.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RegistrationFloodOfOneAppTest {

  private static final int MAX_ATTEMPTS = 100_000;

  @InjectTestIssuer TestIssuer issuer;

  @InjectRedis RedisServer redisServer;

  @Inject RedisDataSource redis;

  @Inject MeterRegistry metrics;

  private final AtomicReference<io.restassured.response.Response> refusal = new AtomicReference<>();

  @Test
  void whenOneAppRegistersUntilRefusedThenAnotherAppStillRegistersItsSignIn() throws Exception {
    register("app1", "S-" + UUID.randomUUID(), "sid-" + UUID.randomUUID());
    long used = usedMemory();
    assertThat(redisServer.command("CONFIG SET maxmemory-policy noeviction")).isEqualTo("+OK");
    assertThat(redisServer.command("CONFIG SET maxmemory " + (used + 2 * 1024 * 1024)))
        .isEqualTo("+OK");
    try {
      // The broker reads maxmemory on a timer, not per registration (RegistrationHeadroom).
      Awaitility.await("the broker's reading of maxmemory")
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !Double.isNaN(usedShareSeenByBroker()));
      int stored = flood("app2");
      assertThat(stored).as("registrations of the flooding app").isPositive();
      assertThat(refusal.get().statusCode()).as("the flooding app's refusal").isEqualTo(503);

      // A user signs in to app1, which has one session registered.
      io.restassured.response.Response signIn =
          given()
              .auth()
              .oauth2(issuer.accessToken("app1"))
              .contentType(ContentType.JSON)
              .body(
                  Map.of("sessionId", "S-" + UUID.randomUUID(), "sid", "sid-" + UUID.randomUUID()))
              .when()
              .post("/api/v1/sessions");
      assertThat(signIn.statusCode())
          .as("app1's registration after app2's flood: %s", signIn.asString())
          .isEqualTo(201);
    } finally {
      redisServer.command("CONFIG SET maxmemory 0");
      // The next test of this broker must not start from this test's reading of maxmemory.
      Awaitility.await("the broker's reading of unlimited memory")
          .atMost(Duration.ofSeconds(15))
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
