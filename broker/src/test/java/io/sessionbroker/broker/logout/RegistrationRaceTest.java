package io.sessionbroker.broker.logout;

import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §3.2 and §5: a registration racing a logout of the same {@code sid} (or user) never leaves a
 * live registration behind. Real concurrency over real HTTP and a real Redis: for each of many sids
 * the registration and the logout token are released together, one of them with a random head start
 * of up to 10 ms, so both orders and true overlaps occur.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RegistrationRaceTest {

  private static final int RACES = 200;
  private static final int THREADS = 16;
  private static final String CLIENT = "app1";
  private static final long MAX_HEAD_START_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @TestHTTPResource("/")
  URL base;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void whenRegistrationRacesLogoutOfTheSameSidThenNoRegistrationStaysActive() throws Exception {
    List<Race> races = new ArrayList<>();
    for (int i = 0; i < RACES; i++) {
      String sid = unique("race-sid");
      String sub = unique("race-user");
      races.add(
          new Race(
              sid,
              unique("JSESSION"),
              registrationBySid(sid, sub),
              issuer.logoutToken(CLIENT, sid, sub),
              headStart()));
    }

    assertNoLiveRegistrationAfter(races, "sid logout");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void whenIdTokenRegistrationRacesSubOnlyLogoutThenNoRegistrationStaysActive() throws Exception {
    List<Race> races = new ArrayList<>();
    for (int i = 0; i < RACES; i++) {
      String sid = unique("race-sid");
      String sub = unique("race-user");
      // The ID token is issued before the logout, as in real life: the user's "revoked before"
      // marker must catch every registration that the logout's index scan misses.
      races.add(
          new Race(
              sid,
              unique("JSESSION"),
              Map.of("idToken", issuer.idToken(CLIENT, sid, sub)),
              issuer.logoutToken(CLIENT, null, sub),
              headStart()));
    }

    assertNoLiveRegistrationAfter(races, "sub-only logout");
  }

  private void assertNoLiveRegistrationAfter(List<Race> races, String kind) throws Exception {
    String accessToken = issuer.accessToken(CLIENT);
    Map<String, Integer> registrationStatus = new ConcurrentHashMap<>();
    Map<String, Integer> logoutStatus = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (Race race : races) {
        CyclicBarrier start = new CyclicBarrier(2);
        // Submitted in pairs: a FIFO pool picks both halves of a pair one after the other, so
        // the barrier releases each registration together with its logout and never deadlocks.
        tasks.add(
            pool.submit(
                () -> {
                  await(start);
                  LockSupport.parkNanos(Math.max(0, -race.logoutDelayNanos()));
                  registrationStatus.put(race.sid(), register(accessToken, race));
                  return null;
                }));
        tasks.add(
            pool.submit(
                () -> {
                  await(start);
                  LockSupport.parkNanos(Math.max(0, race.logoutDelayNanos()));
                  logoutStatus.put(race.sid(), logout(race.logoutToken()));
                  return null;
                }));
      }
      for (Future<?> task : tasks) {
        task.get(25, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    int refused = 0;
    int revokedAfterRegistration = 0;
    List<String> liveAfterLogout = new ArrayList<>();
    for (Race race : races) {
      assertThat(logoutStatus.get(race.sid())).as("logout of %s", race.sid()).isEqualTo(200);
      int status = registrationStatus.get(race.sid());
      assertThat(status).as("registration under %s", race.sid()).isIn(201, 409);
      if (status == 409) {
        refused++;
        continue;
      }
      String stored = storedStatus(accessToken, race.sessionId());
      if ("revoked".equals(stored)) {
        revokedAfterRegistration++;
      } else {
        liveAfterLogout.add(race.sid() + " -> " + stored);
      }
    }
    System.out.printf(
        "RegistrationRaceTest (%s): %d races, %d registrations refused with 409, %d registered"
            + " then revoked, %d left live%n",
        kind, races.size(), refused, revokedAfterRegistration, liveAfterLogout.size());

    assertThat(liveAfterLogout).as("registrations that survived the logout").isEmpty();
    assertThat(refused + revokedAfterRegistration).isEqualTo(races.size());
  }

  /**
   * One race.
   *
   * @param registration the registration body besides {@code sessionId}
   * @param logoutDelayNanos how much later the logout starts than the registration (negative:
   *     earlier)
   */
  private record Race(
      String sid,
      String sessionId,
      Map<String, String> registration,
      String logoutToken,
      long logoutDelayNanos) {}

  private static Map<String, String> registrationBySid(String sid, String sub) {
    return Map.of("sid", sid, "sub", sub);
  }

  /** Skewed towards delaying the logout: released together, the logout mostly wins. */
  private static long headStart() {
    return ThreadLocalRandom.current()
        .nextLong(-MAX_HEAD_START_NANOS / 2, MAX_HEAD_START_NANOS * 2);
  }

  private int register(String accessToken, Race race) throws IOException, InterruptedException {
    Map<String, String> body = new HashMap<>(race.registration());
    body.put("sessionId", race.sessionId());
    String json;
    try {
      json = LogoutFixtures.JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    HttpRequest request =
        HttpRequest.newBuilder(uri("api/v1/sessions"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + accessToken)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private int logout(String token) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri("backchannel-logout"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "logout_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private String storedStatus(String accessToken, String sessionId)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri("api/v1/sessions/" + sessionId))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + accessToken)
            .GET()
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", sessionId, response.body()).isEqualTo(200);
    return LogoutFixtures.JSON.readTree(response.body()).path("status").asText();
  }

  private URI uri(String path) {
    return URI.create(base.toString().replaceAll("/+$", "") + "/" + path);
  }

  private static void await(CyclicBarrier barrier)
      throws InterruptedException, BrokenBarrierException, TimeoutException {
    barrier.await(10, TimeUnit.SECONDS);
  }
}
