package io.sessionbroker.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two packaged broker processes on one Redis receive Keycloak's tokens for the same SSO session at
 * the same moment (one token per client, as Keycloak sends them, each delivered to both brokers):
 * every client still gets exactly one event per logout. (Two different tokens of one client for one
 * sid are two logouts: the user signed in again, see revoke_sid.lua.) And the verdicts of both
 * agree: a logout recorded by one broker refuses the token at the other too.
 */
class TwoBrokersIT {

  private static final int SIDS = 100;
  private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static RedisServer redis;
  private static TestIssuer issuer;
  private static BrokerProcess brokerA;
  private static BrokerProcess brokerB;

  @BeforeAll
  static void startTwoBrokers() {
    redis = RedisServer.start();
    issuer = TestIssuer.start("test");
    Map<String, String> config =
        Map.of("quarkus.redis.hosts", redis.uri(), "session-broker.issuers.test.url", issuer.url());
    brokerA = new BrokerProcess("a", config);
    brokerB = new BrokerProcess("b", config);
  }

  @AfterAll
  static void stopAll() {
    for (AutoCloseable closeable : new AutoCloseable[] {brokerA, brokerB, issuer, redis}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // Keep closing the others.
      }
    }
  }

  @Test
  void whenTwoBrokersReceiveTokensForTheSameSidAtOnceThenEachClientGetsExactlyOneEvent()
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String app1 = "two-a-" + run;
    String app2 = "two-b-" + run;
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < SIDS; i++) {
      String sid = UUID.randomUUID().toString();
      sids.add(sid);
      register(brokerA, app1, sid);
      register(brokerB, app2, sid);
    }

    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    for (String sid : sids) {
      // Keycloak sends one token per client; here each lands on both brokers at once (a resend
      // through another replica), so every token is received twice.
      String app1Token = logoutToken(app1, sid);
      String app2Token = logoutToken(app2, sid);
      answers.add(CompletableFuture.supplyAsync(() -> logout(brokerA, app1Token), pool));
      answers.add(CompletableFuture.supplyAsync(() -> logout(brokerB, app2Token), pool));
      answers.add(CompletableFuture.supplyAsync(() -> logout(brokerB, app1Token), pool));
      answers.add(CompletableFuture.supplyAsync(() -> logout(brokerA, app2Token), pool));
    }
    for (CompletableFuture<Integer> answer : answers) {
      assertThat(answer.get()).isEqualTo(200);
    }
    pool.shutdown();

    Map<String, Integer> app1Events = eventsBySid("sb:events:test:" + app1);
    Map<String, Integer> app2Events = eventsBySid("sb:events:test:" + app2);
    long wrong =
        sids.stream()
            .filter(
                sid -> app1Events.getOrDefault(sid, 0) != 1 || app2Events.getOrDefault(sid, 0) != 1)
            .count();
    System.out.printf(
        "Two brokers: sids=%d, tokens=%d, events app1=%d app2=%d, sids without exactly one event"
            + " per client=%d%n",
        SIDS, answers.size(), total(app1Events), total(app2Events), wrong);
    assertThat(wrong).isZero();
  }

  @Test
  void whenOneBrokerRecordsALogoutThenTheOthersVerdictRefusesTheToken() throws Exception {
    String sid = UUID.randomUUID().toString();
    JwtClaims claims = issuer.accessTokenClaims("spa-" + sid.substring(0, 8));
    claims.setSubject("user-" + sid);
    claims.setClaim("sid", sid);
    String token = issuer.sign(claims);
    assertThat(verdict(brokerA, token)).isEqualTo(200);
    assertThat(verdict(brokerB, token)).isEqualTo(200);

    assertThat(logout(brokerA, logoutToken("spa-" + sid.substring(0, 8), sid))).isEqualTo(200);

    // A hang guard, not a latency bound: a loaded machine may take seconds.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (verdict(brokerB, token) != 401 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(verdict(brokerB, token)).as("broker B").isEqualTo(401);
    assertThat(verdict(brokerA, token)).isEqualTo(401);
  }

  private static int verdict(BrokerProcess broker, String token) {
    return send(HttpRequest.newBuilder(URI.create(broker.url() + "/api/v1/verdict"))
            .header("Authorization", "Bearer " + token)
            .build())
        .statusCode();
  }

  private static int total(Map<String, Integer> counts) {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static void register(BrokerProcess broker, String clientId, String sid) {
    String body =
        "{\"sessionId\":\"S-"
            + sid
            + "\",\"idToken\":\""
            + issuer.idToken(clientId, sid, "user-" + sid)
            + "\"}";
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(broker.url() + "/api/v1/sessions"))
                .header("Authorization", "Bearer " + issuer.accessToken(clientId))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
  }

  private static String logoutToken(String clientId, String sid) {
    return issuer.logoutToken(clientId, sid, "user-" + sid);
  }

  private static int logout(BrokerProcess broker, String token) {
    String form = "logout_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    return send(HttpRequest.newBuilder(URI.create(broker.url() + "/backchannel-logout"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build())
        .statusCode();
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("request to the broker failed", e);
    }
  }

  private static Map<String, Integer> eventsBySid(String stream) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      Map<String, Integer> counts = new HashMap<>();
      for (var message : connection.sync().xrange(stream, Range.create("-", "+"))) {
        Matcher matcher = SID.matcher(EventStreams.event(message));
        if (matcher.find()) {
          counts.merge(matcher.group(1), 1, Integer::sum);
        }
      }
      return counts;
    } finally {
      client.shutdown();
    }
  }
}
