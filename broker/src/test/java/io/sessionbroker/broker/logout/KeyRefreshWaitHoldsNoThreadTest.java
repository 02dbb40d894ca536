package io.sessionbroker.broker.logout;

import static io.sessionbroker.broker.logout.LogoutFixtures.postLogoutToken;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import io.sessionbroker.broker.token.IssuerKeys;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
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
 * SPEC §4: a token with an unknown {@code kid} waits for the next allowed key refresh, and that
 * wait holds no worker thread. With a worker pool of {@value #WORKER_THREADS} threads, {@value
 * #PARKED} tokens with unknown kids wait for a refresh that the issuer keeps in flight, while a
 * logout signed with a known key is answered; once the keys arrive, each parked token gets its
 * verdict. Before, each waiting token parked a worker thread, so the valid logout waited behind
 * them. One token more than {@code session-broker.jwks.max-waiting-tokens} is answered 503 at once.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
@TestProfile(KeyRefreshWaitHoldsNoThreadTest.SmallWorkerPool.class)
class KeyRefreshWaitHoldsNoThreadTest {

  private static final int WORKER_THREADS = 4;
  private static final int PARKED = 50;

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Inject IssuerDirectory issuers;
  @Inject RedisDataSource redis;

  @Test
  void
      whenManyTokensWaitForAKeyRefreshThenAValidLogoutIsStillAnsweredAndTheWaitingOnesGetTheirVerdict()
          throws Exception {
    IssuerKeys keys = issuers.keys(issuers.byAlias("test").orElseThrow());
    String knownSid = unique("sid");
    String knownKeyToken = issuer.logoutToken("app1", knownSid, "user");
    assertThat(postLogoutToken(issuer.logoutToken("app1", unique("sid"), "user")).statusCode())
        .as("the current key is loaded")
        .isEqualTo(200);

    Runnable releaseJwks = issuer.holdJwks();
    ExecutorService clients = Executors.newFixedThreadPool(PARKED + 1);
    try {
      issuer.rotateKey();
      String rotatedSid = unique("sid");
      List<String> waiting = new ArrayList<>();
      waiting.add(issuer.logoutToken("app1", rotatedSid, "user"));
      while (waiting.size() < PARKED) {
        waiting.add(
            TestIssuer.sign(
                issuer.logoutTokenClaims("app1", unique("sid"), "user"),
                "logout+jwt",
                TestIssuer.unpublishedKey()));
      }
      List<CompletableFuture<Integer>> parked = new ArrayList<>();
      for (String token : waiting) {
        parked.add(
            CompletableFuture.supplyAsync(() -> postLogoutToken(token).statusCode(), clients));
      }
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> keys.waitingTokens() == PARKED);

      int knownKeyStatus =
          CompletableFuture.supplyAsync(() -> postLogoutToken(knownKeyToken).statusCode(), clients)
              .get(60, TimeUnit.SECONDS);

      assertThat(knownKeyStatus).as("a logout signed with a known key").isEqualTo(200);
      assertThat(new LogoutFixtures(redis).eventsForSid("test", "app1", knownSid)).hasSize(1);
      assertThat(parked).as("still waiting for the held key refresh").noneMatch(f -> f.isDone());
      assertThat(keys.waitingTokens()).isEqualTo(PARKED);
      io.restassured.response.Response beyondTheBound =
          postLogoutToken(
              TestIssuer.sign(
                  issuer.logoutTokenClaims("app1", unique("sid"), "user"),
                  "logout+jwt",
                  TestIssuer.unpublishedKey()));
      assertThat(beyondTheBound.statusCode())
          .as("one more waiting token than session-broker.jwks.max-waiting-tokens")
          .isEqualTo(503);
      assertThat(beyondTheBound.jsonPath().getString("error")).isEqualTo("temporarily_unavailable");
      assertThat(keys.waitingTokens()).isEqualTo(PARKED);

      releaseJwks.run();

      assertThat(parked.get(0).get(60, TimeUnit.SECONDS))
          .as("signed with the rotated key")
          .isEqualTo(200);
      for (CompletableFuture<Integer> garbage : parked.subList(1, PARKED)) {
        assertThat(garbage.get(60, TimeUnit.SECONDS)).as("made-up kid").isEqualTo(400);
      }
      assertThat(new LogoutFixtures(redis).eventsForSid("test", "app1", rotatedSid)).hasSize(1);
      assertThat(keys.waitingTokens()).isZero();
    } finally {
      releaseJwks.run();
      clients.shutdownNow();
    }
  }

  /** A worker pool smaller than the number of waiting tokens; key fetches that may be held long. */
  public static class SmallWorkerPool implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.thread-pool.max-threads",
          Integer.toString(WORKER_THREADS),
          "session-broker.jwks.timeout",
          "60s",
          "session-broker.jwks.max-waiting-tokens",
          Integer.toString(PARKED));
    }
  }
}
