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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 / SPEC §5, the shutdown path of the packaged broker: Redis is down, logouts are
 * journaled and answered 200, the pod gets SIGTERM. The broker waits for Redis at most {@code
 * session-broker.outbox.shutdown-drain-timeout}, exits, and logs how many revocations stay
 * journaled; the next broker on the same journal folder delivers every one of them, once.
 */
class ShutdownDrainIT {

  private static final int LOGOUTS = 20;
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  /** JVM and Quarkus shutdown on top of the drain wait; generous for a loaded 2-core machine. */
  private static final Duration EXIT_MARGIN = Duration.ofSeconds(25);

  private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void whenRedisIsDownAtSigtermThenTheBrokerExitsInTimeAndTheNextOneDeliversTheJournal()
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String client = "drain-" + run;
    String journalFolder = "target/outbox-it-drain-" + run;
    try (RedisServer redis = RedisServer.start();
        TestIssuer issuer = TestIssuer.start("test")) {
      Map<String, String> config =
          Map.of(
              "quarkus.redis.hosts",
              redis.uri(),
              "quarkus.redis.timeout",
              "2s",
              "session-broker.issuers.test.url",
              issuer.url(),
              "session-broker.outbox.directory",
              journalFolder,
              "session-broker.outbox.shutdown-drain-timeout",
              DRAIN_TIMEOUT.toSeconds() + "s");
      List<String> sids = new ArrayList<>();
      long exitMillis;
      String firstLog;
      try (BrokerProcess first = new BrokerProcess("drain-first", config)) {
        redis.stop();
        for (int i = 0; i < LOGOUTS; i++) {
          String sid = UUID.randomUUID().toString();
          sids.add(sid);
          assertThat(logout(first, issuer.logoutToken(client, sid, "user-" + i)))
              .as("logout %d answered while Redis is down", i)
              .isEqualTo(200);
        }
        long signalled = System.nanoTime();
        first.terminate();
        assertThat(first.awaitExit(DRAIN_TIMEOUT.plus(EXIT_MARGIN)))
            .as("exits within the drain timeout (plus JVM shutdown)")
            .isTrue();
        exitMillis = (System.nanoTime() - signalled) / 1_000_000;
        firstLog = first.log();
      }
      assertThat(firstLog)
          .contains("Shutting down with " + LOGOUTS + " revocations still journaled")
          .contains("the next broker started with the same journal folder replays them");

      redis.restart();
      Set<String> delivered = new HashSet<>();
      List<String> duplicates = new ArrayList<>();
      try (BrokerProcess second = new BrokerProcess("drain-second", config)) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(250))
            .untilAsserted(
                () -> {
                  delivered.clear();
                  duplicates.clear();
                  for (String sid : streamSids(redis, "sb:events:test:" + client)) {
                    if (!delivered.add(sid)) {
                      duplicates.add(sid);
                    }
                  }
                  assertThat(delivered).containsExactlyInAnyOrderElementsOf(sids);
                });
      }
      long lost = sids.stream().filter(sid -> !delivered.contains(sid)).count();
      System.out.printf(
          "Shutdown drain: journaled=%d, exit after SIGTERM=%d ms (drain timeout %d s),"
              + " delivered by the next broker=%d, lost=%d, duplicates=%d%n",
          LOGOUTS,
          exitMillis,
          DRAIN_TIMEOUT.toSeconds(),
          delivered.size(),
          lost,
          duplicates.size());
      assertThat(lost).isZero();
      assertThat(duplicates).isEmpty();
    }
  }

  private static int logout(BrokerProcess broker, String token) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(broker.url() + "/backchannel-logout"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "logout_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static List<String> streamSids(RedisServer redis, String stream) {
    RedisClient lettuce = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
      List<String> sids = new ArrayList<>();
      for (var message : connection.sync().xrange(stream, Range.create("-", "+"))) {
        Matcher matcher = SID.matcher(EventStreams.event(message));
        if (matcher.find()) {
          sids.add(matcher.group(1));
        }
      }
      return sids;
    } finally {
      lettuce.shutdown();
    }
  }
}
