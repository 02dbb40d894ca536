package io.sessionbroker.broker.api;

import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * SPEC §6 (issue 12): {@code POST /api/v1/sessions} runs on the Vert.x event loop, with no worker
 * hand-off. Every thread of a worker pool of {@value #WORKER_THREADS} is parked by the test, and
 * registrations of both forms are still answered, also one whose ID token's key must first be
 * fetched (the registration resumes on its own event loop, not on a worker). Before, the resource
 * ran on a worker thread, so each of these waited until the workers were released.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
@TestProfile(RegistrationOnEventLoopTest.SmallWorkerPool.class)
class RegistrationOnEventLoopTest {

  private static final int WORKER_THREADS = 2;

  /** Far longer than a registration takes, so only a registration waiting for a worker fails. */
  private static final long ANSWER_SECONDS = 20;

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Test
  void whenEveryWorkerThreadIsBusyThenRegistrationsOfBothFormsAreStillAnswered() throws Exception {
    String accessToken = issuer.accessToken("app1");
    // Warm: the issuer's keys are loaded and the API has answered once before the workers park.
    assertThat(
            register(accessToken, Map.of("sessionId", unique("S"), "sid", unique("sid")))
                .statusCode())
        .isEqualTo(201);

    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch parked = new CountDownLatch(WORKER_THREADS);
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      for (int i = 0; i < WORKER_THREADS; i++) {
        Infrastructure.getDefaultWorkerPool()
            .execute(
                () -> {
                  parked.countDown();
                  awaitQuietly(release);
                });
      }
      assertThat(parked.await(30, TimeUnit.SECONDS)).as("every worker thread is parked").isTrue();

      String sid = unique("sid");
      assertThat(
              answer(
                  client,
                  () ->
                      register(
                          accessToken,
                          Map.of("sessionId", unique("S"), "sid", sid, "sub", "user-1"))))
          .as("registration with an explicit sid")
          .isEqualTo(201);

      String verifiedSid = unique("sid");
      assertThat(
              answer(
                  client,
                  () ->
                      register(
                          accessToken,
                          Map.of(
                              "sessionId",
                              unique("S"),
                              "idToken",
                              issuer.idToken("app1", verifiedSid, "user-2")))))
          .as("registration with an ID token whose key is loaded")
          .isEqualTo(201);

      // Signed with a key the broker has not fetched yet: the registration waits for the refresh
      // without a thread and resumes on its event loop.
      issuer.rotateKey();
      String rotatedIdToken = issuer.idToken("app1", unique("sid"), "user-3");
      assertThat(
              answer(
                  client,
                  () ->
                      register(
                          accessToken,
                          Map.of("sessionId", unique("S"), "idToken", rotatedIdToken))))
          .as("registration with an ID token whose key must be fetched first")
          .isEqualTo(201);

      assertThat(
              answer(
                  client,
                  () ->
                      register(
                          accessToken,
                          Map.of("sessionId", unique("S"), "sid", verifiedSid, "sub", "user-9"))))
          .as("a refusal is answered on the event loop too (sub_mismatch: 409)")
          .isEqualTo(409);
      assertThat(parked.getCount()).isZero();
    } finally {
      release.countDown();
      client.shutdownNow();
    }
  }

  /** The status of a call made on another thread, or a failure after {@link #ANSWER_SECONDS}. */
  private static int answer(ExecutorService client, Supplier<io.restassured.response.Response> call)
      throws Exception {
    return CompletableFuture.supplyAsync(() -> call.get().statusCode(), client)
        .get(ANSWER_SECONDS, TimeUnit.SECONDS);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A worker pool small enough for the test to park all of it. */
  public static class SmallWorkerPool implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.thread-pool.max-threads", Integer.toString(WORKER_THREADS));
    }
  }
}
