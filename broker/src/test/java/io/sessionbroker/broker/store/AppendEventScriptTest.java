package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event append script {@code lua/append_event.lua} against a real Redis: strictly increasing
 * ids per stream (SPEC §3.3), exactly-once per dedupe key, retention by {@code MINID} trimming and
 * expiry. Each test uses a stream of its own.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class AppendEventScriptTest {

  private static final LuaScript APPEND_EVENT = LuaScript.load("append_event");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long RETENTION_MILLIS = 60_000;

  @Inject RedisDataSource redis;

  private final RedisKeys keys = new RedisKeys("sb");
  private String stream;

  @BeforeEach
  void freshStream() {
    stream = keys.eventStream("script-test", "client-" + UUID.randomUUID());
  }

  @Test
  void whenAppendedThenTheEntryIdIsTheEventIdAndTheEntryHoldsTheEventWithoutIt() throws Exception {
    Appended appended = append("dedupe-1", "\"type\":\"session.revoked\"}");

    assertThat(appended.appended()).isTrue();
    Response entries = redis.execute("XRANGE", stream, "-", "+");
    assertThat(entries.size()).isEqualTo(1);
    Response entry = entries.get(0);
    assertThat(entry.get(0).toString()).isEqualTo(appended.id());
    assertThat(entry.get(1).size()).isEqualTo(2);
    assertThat(entry.get(1).get(0).toString()).isEqualTo(EventEntry.FIELD).isEqualTo("event");
    String stored = entry.get(1).get(1).toString();
    assertThat(stored).isEqualTo("{\"v\":1,\"type\":\"session.revoked\"}");
    assertThat(EventEntry.eventJson(appended.id(), stored)).isEqualTo(appended.json());
    JsonNode event = JSON.readTree(appended.json());
    assertThat(event.path("v").asInt()).isEqualTo(1);
    assertThat(event.path("id").asText()).isEqualTo(appended.id());
    assertThat(event.path("type").asText()).isEqualTo("session.revoked");
  }

  @Test
  void whenTheDedupeKeysEntryWasStoredWithItsIdByAnOlderBrokerThenTheSameEventIsReturned() {
    String id = (System.currentTimeMillis() - 1_000) + "-0";
    String stored = "{\"v\":1,\"id\":\"" + id + "\",\"attempt\":1}";
    redis.execute("XADD", stream, id, "event", stored);
    redis.execute("SET", keys.eventDedupe(stream, "sid:old"), id + " origin-sid:old");

    Appended retry = append("sid:old", "\"attempt\":2}");

    assertThat(retry.appended()).isFalse();
    assertThat(retry.id()).isEqualTo(id);
    assertThat(retry.json()).isEqualTo(stored).isEqualTo(EventEntry.eventJson(id, stored));
    assertThat(streamIds()).containsExactly(id);
  }

  @Test
  void whenTheDedupeKeysEntryStoresAnotherIdThenTheEntryIdWinsAsForReaders() {
    String id = (System.currentTimeMillis() - 1_000) + "-4";
    String stored = "{\"v\":1,\"id\":\"1-0\",\"attempt\":1}";
    redis.execute("XADD", stream, id, "event", stored);
    redis.execute("SET", keys.eventDedupe(stream, "sid:odd"), id + " origin-sid:odd");

    Appended retry = append("sid:odd", "\"attempt\":2}");

    assertThat(retry.json())
        .isEqualTo("{\"v\":1,\"id\":\"" + id + "\",\"attempt\":1}")
        .isEqualTo(EventEntry.eventJson(id, stored));
  }

  @Test
  void whenAppendedThenNoCommandRunsThatOnlyChoosesTheId() {
    append("warm-up", "\"n\":0}");
    Map<String, Long> before = commandCalls();

    append("counted", "\"n\":1}");

    Map<String, Long> after = commandCalls();
    for (String bookkeeping : List.of("time", "xrevrange", "xinfo")) {
      assertThat(after.getOrDefault(bookkeeping, 0L))
          .as("calls of %s by one append", bookkeeping)
          .isEqualTo(before.getOrDefault(bookkeeping, 0L));
    }
    assertThat(after.get("xadd") - before.get("xadd")).as("calls of xadd").isEqualTo(1);
  }

  @Test
  void whenManyAppendsLandInTheSameMillisecondThenIdsStillStrictlyIncrease() throws Exception {
    int threads = 8;
    int perThread = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<String> returned = Collections.synchronizedList(new ArrayList<>());
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        tasks.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    returned.add(append(UUID.randomUUID().toString(), "\"n\":1}").id());
                  }
                }));
      }
      for (Future<?> task : tasks) {
        task.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    List<String> inStream = streamIds();
    assertThat(inStream).hasSize(threads * perThread);
    assertThat(inStream).containsExactlyInAnyOrderElementsOf(returned);
    int sameMillisecond = 0;
    for (int i = 1; i < inStream.size(); i++) {
      StreamId previous = StreamId.parse(inStream.get(i - 1));
      StreamId current = StreamId.parse(inStream.get(i));
      assertThat(current.compareTo(previous)).as("%s after %s", current, previous).isPositive();
      if (current.millis() == previous.millis()) {
        sameMillisecond++;
      }
    }
    assertThat(sameMillisecond).as("appends that shared a millisecond").isPositive();
  }

  @Test
  void whenTheLastIdIsAheadOfTheServerClockThenTheNextIdFollowsIt() {
    long future = System.currentTimeMillis() + 3_600_000;
    redis.execute("XADD", stream, future + "-7", "event", "{}");

    Appended appended = append("after-future", "\"n\":1}");

    assertThat(appended.id()).isEqualTo(future + "-8");
  }

  @Test
  void whenTheLatestEntryWasDeletedThenTheNextIdStillFollowsItsId() {
    long future = System.currentTimeMillis() + 3_600_000;
    redis.execute("XADD", stream, "1-0", "event", "{}");
    redis.execute("XADD", stream, future + "-7", "event", "{}");
    redis.execute("XDEL", stream, future + "-7");

    Appended appended = append("after-deleted", "\"n\":1}");

    assertThat(appended.id()).isEqualTo(future + "-8");
    assertThat(appended.json()).startsWith("{\"v\":1,\"id\":\"" + future + "-8\",");
  }

  @Test
  void whenTheDedupeKeyWasSeenThenTheExistingIdAndPayloadAreReturned() {
    Appended first = append("sid:abc", "\"attempt\":1}");

    Appended second = append("sid:abc", "\"attempt\":2}");

    assertThat(second.appended()).isFalse();
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.json()).isEqualTo(first.json());
    assertThat(streamIds()).containsExactly(first.id());
  }

  @Test
  void whenTheDuplicatesOriginalWasTrimmedThenItsIdIsReturnedWithoutPayload() {
    Appended first = append("sid:gone", "\"attempt\":1}");
    redis.execute("XDEL", stream, first.id());

    Appended second = append("sid:gone", "\"attempt\":2}");

    assertThat(second.appended()).isFalse();
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.json()).isNull();
    assertThat(streamIds()).isEmpty();
  }

  @Test
  void whenEntriesAreOlderThanTheMinIdThenTheyAreTrimmedAndRecentOnesKept() {
    long now = System.currentTimeMillis();
    int old = 300;
    for (int i = 0; i < old; i++) {
      redis.execute("XADD", stream, (now - 3_600_000 + i) + "-0", "event", "{\"old\":true}");
    }
    List<String> recent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = (now - 5_000 + i) + "-0";
      redis.execute("XADD", stream, id, "event", "{\"recent\":true}");
      recent.add(id);
    }

    Appended appended = append("trim", "\"n\":1}");

    List<String> remaining = streamIds();
    assertThat(remaining).containsAll(recent).contains(appended.id());
    long oldLeft = remaining.stream().filter(id -> !recent.contains(id)).count() - 1;
    // MINID ~ drops whole stream nodes (100 entries each by default), never a recent entry.
    assertThat(oldLeft).as("old entries left after trimming").isLessThan(100);
  }

  @Test
  void whenAppendedThenStreamAndDedupeMarkerExpireAfterTheRetention() {
    append("expiring", "\"n\":1}");

    long streamTtl = redis.execute("PTTL", stream).toLong();
    long markerTtl = redis.execute("PTTL", keys.eventDedupe(stream, "expiring")).toLong();

    assertThat(streamTtl).isBetween(1L, RETENTION_MILLIS);
    assertThat(markerTtl).isBetween(1L, RETENTION_MILLIS);
  }

  private record Appended(String id, String json, boolean appended) {}

  private Appended append(String dedupeKey, String jsonAfterId) {
    return append(dedupeKey, jsonAfterId, "origin-" + dedupeKey);
  }

  /**
   * Runs the script as {@link RedisEventLog} does.
   *
   * @param origin what caused the event (a logout token's jti, an admin request id)
   */
  private Appended append(String dedupeKey, String jsonAfterId, String origin) {
    long trimBefore = System.currentTimeMillis() - RETENTION_MILLIS;
    Response result =
        APPEND_EVENT.run(
            redis,
            List.of(stream, keys.eventDedupe(stream, dedupeKey)),
            List.of(jsonAfterId, trimBefore + "-0", Long.toString(RETENTION_MILLIS), origin));
    Response json = result.get(1);
    return new Appended(
        result.get(0).toString(),
        json == null ? null : json.toString(),
        result.get(2).toLong() == 1);
  }

  /**
   * Calls per command so far, from {@code INFO commandstats} ({@code cmdstat_xadd:calls=3,...}).
   */
  private Map<String, Long> commandCalls() {
    Map<String, Long> calls = new HashMap<>();
    for (String line : redis.execute("INFO", "commandstats").toString().split("\r?\n")) {
      int colon = line.indexOf(':');
      int count = line.indexOf("calls=");
      if (line.startsWith("cmdstat_") && colon > 0 && count > 0) {
        calls.put(
            line.substring("cmdstat_".length(), colon),
            Long.parseLong(line.substring(count + 6, line.indexOf(',', count))));
      }
    }
    return calls;
  }

  private List<String> streamIds() {
    Response entries = redis.execute("XRANGE", stream, "-", "+");
    List<String> ids = new ArrayList<>();
    if (entries != null) {
      entries.forEach(entry -> ids.add(entry.get(0).toString()));
    }
    return ids;
  }

  /** A stream id, ordered as Redis orders them. */
  private record StreamId(long millis, long sequence) implements Comparable<StreamId> {

    static StreamId parse(String id) {
      int dash = id.indexOf('-');
      return new StreamId(
          Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
    }

    @Override
    public int compareTo(StreamId other) {
      int byMillis = Long.compare(millis, other.millis);
      return byMillis != 0 ? byMillis : Long.compare(sequence, other.sequence);
    }
  }
}
