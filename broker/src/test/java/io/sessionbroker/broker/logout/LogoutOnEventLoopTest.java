package io.sessionbroker.broker.logout;

import static io.sessionbroker.broker.logout.LogoutFixtures.postLogoutToken;
import static io.sessionbroker.broker.logout.LogoutFixtures.registerActive;
import static io.sessionbroker.broker.logout.LogoutFixtures.sessionStatus;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sessionbroker.broker.logout.LogoutFixtures.StreamEntry;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SPEC §6 (issue 12): a back-channel logout of the shape Keycloak sends (a {@code sid}, one
 * audience) runs on the event loop with no worker hand-off. With every thread of the worker pool
 * ({@value #WORKER_THREADS}) held busy, the logout is still recorded, published and answered 200,
 * and its replay is answered 200 with no second event. A logout that needed a worker thread would
 * wait until the pool is released, after the test gave up.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
@TestProfile(LogoutOnEventLoopTest.TwoWorkerThreads.class)
class LogoutOnEventLoopTest {

  private static final int WORKER_THREADS = 2;

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Test
  void whenEveryWorkerThreadIsBusyThenALogoutIsStillRecordedPublishedAndAnswered()
      throws Exception {
    String sid = unique("sid");
    String sessionId = unique("session");
    registerActive(issuer, "app1", sessionId, sid, "user");
    String token = issuer.logoutToken("app1", sid, "user");

    CountDownLatch busy = new CountDownLatch(WORKER_THREADS);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService keycloak = Executors.newSingleThreadExecutor();
    int status;
    int replayStatus;
    try {
      for (int i = 0; i < WORKER_THREADS; i++) {
        Infrastructure.getDefaultWorkerPool()
            .execute(
                () -> {
                  busy.countDown();
                  try {
                    release.await(120, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
      }
      assertThat(busy.await(30, TimeUnit.SECONDS)).as("every worker thread is taken").isTrue();

      status = keycloak.submit(() -> postLogoutToken(token).statusCode()).get(30, TimeUnit.SECONDS);
      replayStatus =
          keycloak.submit(() -> postLogoutToken(token).statusCode()).get(30, TimeUnit.SECONDS);
    } finally {
      release.countDown();
      keycloak.shutdownNow();
    }

    assertThat(status).as("the logout, answered while no worker thread was free").isEqualTo(200);
    assertThat(replayStatus).as("its replay").isEqualTo(200);
    List<StreamEntry> events = new LogoutFixtures(redis).eventsForSid("test", "app1", sid);
    assertThat(events).as("exactly one event for the logout and its replay").hasSize(1);
    assertThat(events.get(0).json().path("sessionIds").get(0).asText()).isEqualTo(sessionId);
    assertThat(sessionStatus(issuer, "app1", sessionId)).isEqualTo("revoked");
  }

  /** A worker pool small enough to hold every thread of it. */
  public static class TwoWorkerThreads implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.thread-pool.max-threads", Integer.toString(WORKER_THREADS));
    }
  }
}
