package io.sessionbroker.broker.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.testsupport.RedisServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5 across an upgrade: a journal left by the previous version (its lines carry a nullable
 * field for every kind) is replayed by this one, in order, into Redis: every kind reaches its
 * client's stream with its ids, each token's id is marked processed beside its replay-guard sid,
 * and nothing is dead-lettered.
 */
@QuarkusTest
@WithTestResource(JournalUpgradeTestResources.class)
class JournalUpgradeTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @InjectRedis RedisServer redis;
  @Inject RevocationRecorder recorder;

  @Test
  void whenTheBrokerStartsOnAJournalOfThePreviousVersionThenEveryEntryReachesRedisInOrder()
      throws Exception {
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(events()).hasSize(5));

    List<String> summaries = new ArrayList<>();
    for (JsonNode event : events()) {
      summaries.add(
          event.path("type").asText()
              + " "
              + event.path("sid").asText("-")
              + " "
              + event.path("sub").asText("-"));
    }
    assertThat(summaries)
        .containsExactly(
            "session.revoked upgrade-sid-1 upgrade-user-1",
            "user.revoked - upgrade-user-2",
            "client.revoked - -",
            "session.revoked upgrade-sid-4 upgrade-user-4",
            "session.revoked upgrade-sid-5 upgrade-user-5");
    assertThat(events().get(2).path("notBefore").asText()).isEqualTo("2026-11-30T01:08:00Z");
    assertThat(
            existing(
                "sb:jti:{test:upgrade-sid-1}:upgrade-jti-1",
                "sb:jti:{test}:upgrade-jti-2",
                "sb:jti:{test}:keycloak-admin:upgrade-action-3",
                "sb:jti:{test:upgrade-sid-4}:upgrade-jti-4",
                "sb:jti:{test:upgrade-sid-5}:upgrade-jti-5"))
        .isEqualTo(5);
    assertThat(recorder.hasPending()).isFalse();
    assertThat(recorder.deadLetterCount()).isZero();
  }

  private List<JsonNode> events() throws Exception {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      List<JsonNode> events = new ArrayList<>();
      for (var message :
          connection
              .sync()
              .xrange(
                  "sb:events:test:" + JournalUpgradeTestResources.CLIENT, Range.create("-", "+"))) {
        events.add(JSON.readTree(EventStreams.event(message)));
      }
      return events;
    } finally {
      client.shutdown();
    }
  }

  private long existing(String... keys) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection.sync().exists(keys);
    } finally {
      client.shutdown();
    }
  }
}
