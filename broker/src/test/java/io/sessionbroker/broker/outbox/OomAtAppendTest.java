package io.sessionbroker.broker.outbox;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5: an accepted logout reaches Redis once Redis can take it; only an entry that fails for
 * good goes to the dead letters. A full Redis ({@code OOM}) is passing (RedisFailures lists it as
 * transient), but append_event.lua calls {@code XADD} with {@code pcall} and takes any failure for
 * "the id is not above the stream's last id", then reads {@code XINFO STREAM}: on a client whose
 * stream does not exist (its first event, or a quiet client whose stream expired after the
 * retention) that is {@code ERR no such key}, a script error, so the OOM becomes a permanent
 * failure and the owed event is dead-lettered: the app never hears of the logout, even after Redis
 * has room again.
 */
@QuarkusTest
@WithTestResource(OomAtAppendTestResources.class)
class OomAtAppendTest {

  @InjectRedis RedisServer redis;
  @Inject RevocationRecorder recorder;

  @Test
  void whenRedisIsFullWhileAnOwedEventIsReplayedThenItWaitsAndReachesTheStreamOnceThereIsRoom()
      throws Exception {
    Awaitility.await("two replay attempts refused by the full Redis")
        .atMost(Duration.ofSeconds(20))
        .until(() -> oomRejections() >= 2);

    assertThat(redis.command("CONFIG SET maxmemory 0")).isEqualTo("+OK");

    Awaitility.await("the owed event in the client's stream")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(events()).hasSize(1));
    assertThat(events().get(0)).contains("\"sid\":\"" + OomAtAppendTestResources.SID + "\"");
    assertThat(recorder.deadLetterCount()).isZero();
  }

  private long oomRejections() {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      for (String line : connection.sync().info("errorstats").split("\r?\n")) {
        if (line.startsWith("errorstat_OOM:count=")) {
          return Long.parseLong(line.substring("errorstat_OOM:count=".length()).split(",")[0]);
        }
      }
      return 0;
    } finally {
      client.shutdown();
    }
  }

  private List<String> events() {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection
          .sync()
          .xrange("sb:events:test:" + OomAtAppendTestResources.CLIENT, Range.create("-", "+"))
          .stream()
          .map(message -> EventStreams.event(message))
          .toList();
    } finally {
      client.shutdown();
    }
  }
}
