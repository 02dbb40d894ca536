package io.sessionbroker.broker.verdict;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.verdict.UserTokens.accessToken;
import static io.sessionbroker.broker.verdict.UserTokens.claims;
import static io.sessionbroker.broker.verdict.UserTokens.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4: a token with an unknown {@code kid} waits for the next allowed key refresh, and an
 * attacker who sprays unknown {@code kid}s must not make other tokens fail. The logout endpoints
 * wait without a thread ({@code IssuerKeys.keyForLater}, bounded by {@code
 * session-broker.jwks.max-waiting-tokens}); {@code GET /api/v1/verdict} is unauthenticated (a proxy
 * forwards whatever bearer token a browser sends) and verifies on a worker thread with the blocking
 * {@code IssuerKeys.keyFor}, which parks that thread for up to {@code min-refresh-interval} plus
 * the fetch timeout, with no bound on how many wait. A handful of made-up tokens then hold every
 * worker thread, and the verdict of a real user's valid token (and every other blocking endpoint)
 * waits behind them until the refresh ends.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
@TestProfile(VerdictKeyRefreshWaitTest.SmallWorkerPool.class)
class VerdictKeyRefreshWaitTest {

  private static final int WORKER_THREADS = 4;
  private static final int MADE_UP = 12;

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenMadeUpKidsWaitForAKeyRefreshThenAValidTokensVerdictIsStillAnswered() throws Exception {
    Awaitility.await("keys loaded and the revocation view warm")
        .atMost(Duration.ofSeconds(30))
        .until(() -> verdict(accessToken(issuer, "spa", unique("sid"), unique("user"))) == 200);
    String valid = accessToken(issuer, "spa", unique("sid"), unique("user"));

    int jwksRequests = issuer.jwksRequestCount();
    Runnable releaseJwks = issuer.holdJwks();
    ExecutorService proxies = Executors.newFixedThreadPool(MADE_UP + 1);
    try {
      List<CompletableFuture<Integer>> madeUp = new ArrayList<>();
      for (int i = 0; i < MADE_UP; i++) {
        String forged =
            TestIssuer.sign(
                claims(issuer, "spa", unique("sid"), unique("user")),
                "JWT",
                TestIssuer.unpublishedKey());
        madeUp.add(CompletableFuture.supplyAsync(() -> verdict(forged), proxies));
      }
      Awaitility.await("the key refresh the made-up kids asked for")
          .atMost(Duration.ofSeconds(30))
          .until(() -> issuer.jwksRequestCount() > jwksRequests);

      CompletableFuture<Integer> validVerdict =
          CompletableFuture.supplyAsync(() -> verdict(valid), proxies);

      assertThat(validVerdict.get(30, TimeUnit.SECONDS))
          .as("a valid token's verdict while made-up kids wait for the held key refresh")
          .isEqualTo(200);
      assertThat(madeUp).as("still waiting for the held key refresh").noneMatch(f -> f.isDone());
    } finally {
      releaseJwks.run();
      proxies.shutdownNow();
    }
  }

  private static int verdict(String token) {
    return given()
        .header("Authorization", "Bearer " + token)
        .when()
        .get("/api/v1/verdict")
        .statusCode();
  }

  /** A small worker pool; key fetches that may be held long. */
  public static class SmallWorkerPool implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.thread-pool.max-threads",
          Integer.toString(WORKER_THREADS),
          "session-broker.jwks.timeout",
          "60s");
    }
  }
}
