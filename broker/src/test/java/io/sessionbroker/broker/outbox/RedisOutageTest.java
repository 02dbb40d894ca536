package io.sessionbroker.broker.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5: a logout answered 200 while Redis is down still reaches Redis, once, when it returns.
 * Redis is stopped for a burst of logouts, then restarted on the same port with its data.
 */
@QuarkusTest
@WithTestResource(OutageTestResources.class)
class RedisOutageTest {

  private static final int BURST = 40;
  private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");

  @InjectRedis RedisServer redis;
  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenRedisIsDownDuringLogoutsThenEveryAcceptedLogoutReachesTheStreamOnce() {
    String client = "outage-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      sids.add(UUID.randomUUID().toString());
    }

    redis.stop();
    int accepted = 0;
    long slowestMillis = 0;
    try {
      for (String sid : sids) {
        long started = System.nanoTime();
        int status =
            given()
                .contentType(ContentType.URLENC)
                .formParam("logout_token", issuer.logoutToken(client, sid, "user-" + sid))
                .post("/backchannel-logout")
                .statusCode();
        slowestMillis = Math.max(slowestMillis, (System.nanoTime() - started) / 1_000_000);
        assertThat(status).as("logout answered while Redis is down").isEqualTo(200);
        accepted++;
      }
    } finally {
      redis.restart();
    }

    Set<String> delivered = new HashSet<>();
    List<String> duplicates = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              delivered.clear();
              duplicates.clear();
              for (String sid : streamSids("sb:events:test:" + client)) {
                if (!delivered.add(sid)) {
                  duplicates.add(sid);
                }
              }
              assertThat(delivered).containsExactlyInAnyOrderElementsOf(sids);
            });
    long lost = sids.stream().filter(sid -> !delivered.contains(sid)).count();
    System.out.printf(
        "Redis outage: accepted=%d, in stream after restart=%d, lost=%d, duplicates=%d,"
            + " slowest answer while down=%d ms%n",
        accepted, delivered.size(), lost, duplicates.size(), slowestMillis);
    assertThat(lost).isZero();
    assertThat(duplicates).isEmpty();
  }

  private List<String> streamSids(String stream) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      List<String> sids = new ArrayList<>();
      for (var message : connection.sync().xrange(stream, io.lettuce.core.Range.create("-", "+"))) {
        Matcher matcher = SID.matcher(EventStreams.event(message));
        if (matcher.find()) {
          sids.add(matcher.group(1));
        }
      }
      return sids;
    } finally {
      client.shutdown();
    }
  }
}
