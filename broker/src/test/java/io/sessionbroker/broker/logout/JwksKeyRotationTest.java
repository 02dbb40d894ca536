package io.sessionbroker.broker.logout;

import static io.sessionbroker.broker.logout.LogoutFixtures.postLogoutToken;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Keycloak key rotation (SPEC §4): a logout token naming an unknown {@code kid} triggers a
 * rate-limited, coalesced JWKS refresh (waiting for the next allowed one when the last was too
 * recent), and keys published since start are used with no broker restart.
 *
 * <p>Runs in an application of its own (the extra {@link OwnApplication} resource gives it its own
 * issuers), because a rotated signing key would otherwise leak into every later test class that
 * shares the default issuers.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
@WithTestResource(JwksKeyRotationTest.OwnApplication.class)
class JwksKeyRotationTest {

  /**
   * {@code session-broker.jwks.min-refresh-interval} of {@link BrokerTestResources}, plus slack.
   */
  private static final long REFRESH_INTERVAL_MILLIS = 1_200;

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Test
  void whenTheIssuerRotatesItsKeyThenATokenSignedWithTheNewKeyIsAcceptedWithoutRestart() {
    String firstSid = unique("sid");
    assertThat(postLogoutToken(issuer.logoutToken("app1", firstSid, "user")).statusCode())
        .as("a token signed with the original key")
        .isEqualTo(200);
    sleep(REFRESH_INTERVAL_MILLIS);
    int fetchesBefore = issuer.jwksRequestCount();

    issuer.rotateKey();
    String sid = unique("sid");
    Response response = postLogoutToken(issuer.logoutToken("app1", sid, "user"));

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(200);
    assertThat(issuer.jwksRequestCount()).isGreaterThan(fetchesBefore);
    assertThat(new LogoutFixtures(redis).eventsForSid("test", "app1", sid)).hasSize(1);
  }

  @Test
  void whenAnUnknownKidUsedUpTheRefreshThenALogoutSignedWithAFreshlyRotatedKeyWaitsAndIsAccepted() {
    sleep(REFRESH_INTERVAL_MILLIS);
    String spray =
        TestIssuer.sign(
            issuer.logoutTokenClaims("app1", unique("sid"), "user"),
            "logout+jwt",
            TestIssuer.unpublishedKey());
    assertThat(postLogoutToken(spray).statusCode()).as("a token with a made-up kid").isEqualTo(400);

    // Within the refresh interval, the realm rotates its key and sends a real logout with it.
    issuer.rotateKey();
    String sid = unique("sid");
    Response response = postLogoutToken(issuer.logoutToken("app1", sid, "user"));

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(200);
    assertThat(new LogoutFixtures(redis).eventsForSid("test", "app1", sid)).hasSize(1);
  }

  @Test
  void whenUnknownKidsArriveInABurstThenRefreshesAreCoalesced() throws Exception {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tokens.add(
          TestIssuer.sign(
              issuer.logoutTokenClaims("app1", unique("sid"), "user"),
              "logout+jwt",
              TestIssuer.unpublishedKey()));
    }
    sleep(REFRESH_INTERVAL_MILLIS);
    int fetchesBefore = issuer.jwksRequestCount();
    long burstStarted = System.nanoTime();

    ExecutorService pool = Executors.newFixedThreadPool(tokens.size());
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (String token : tokens) {
        answers.add(pool.submit(() -> postLogoutToken(token).statusCode()));
      }
      for (Future<Integer> answer : answers) {
        assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo(400);
      }
    } finally {
      pool.shutdownNow();
    }

    // One refresh at once, and at most one more each time the interval has passed while the burst
    // was still arriving (a loaded machine may spread it over more than one interval); without
    // coalescing, each of the 8 would fetch.
    long burstMillis = (System.nanoTime() - burstStarted) / 1_000_000;
    int allowed = 2 + (int) (burstMillis / REFRESH_INTERVAL_MILLIS);
    assertThat(issuer.jwksRequestCount() - fetchesBefore)
        .as("JWKS fetches for a burst of 8 over %d ms", burstMillis)
        .isBetween(1, Math.min(allowed, tokens.size() - 1));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Adds nothing but makes this class's set of test resources, and so its application, its own. */
  public static class OwnApplication implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
      return Map.of();
    }

    @Override
    public void stop() {}
  }
}
