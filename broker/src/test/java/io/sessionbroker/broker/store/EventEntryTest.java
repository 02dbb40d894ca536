package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.impl.types.BulkType;
import io.vertx.redis.client.impl.types.MultiType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EventEntry#eventJson}: a stream entry in either layout (event without {@code id}, as the
 * broker writes it; with {@code id}, as older brokers did) reads as the event the broker published.
 */
class EventEntryTest {

  private static final Path VECTORS = Path.of("..", "test-vectors", "events");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String REST =
      "\"type\":\"session.revoked\",\"reason\":\"admin\",\"issuer\":\"acme\",\"clientId\":\"app1\","
          + "\"sid\":\"s-1\",\"sessionIds\":[],\"at\":\"2026-11-24T05:49:43.004Z\"}";

  static Stream<Path> streamEntryVectors() throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(VECTORS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        if (JSON.readTree(file.toFile()).has("streamEntry")) {
          found.add(file);
        }
      }
    }
    return found.stream();
  }

  @Test
  void whenTheVectorFolderIsReadThenItHoldsStreamEntries() throws IOException {
    assertThat(streamEntryVectors()).hasSizeGreaterThanOrEqualTo(3);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streamEntryVectors")
  void whenAVectorsStreamEntryIsReadThenItIsThePublishedMessageByteForByte(Path file)
      throws IOException {
    JsonNode vector = JSON.readTree(file.toFile());
    JsonNode entry = vector.get("streamEntry");

    String event = EventEntry.eventJson(entry.get("id").asText(), entry.get("event").asText());

    assertThat(event).isEqualTo(vector.get("message").asText());
  }

  @Test
  void whenTheEntryHoldsTheEventWithoutIdThenTheEntryIdFollowsV() {
    assertThat(EventEntry.eventJson("1764000000000-2", "{\"v\":1," + REST))
        .isEqualTo("{\"v\":1,\"id\":\"1764000000000-2\"," + REST);
  }

  @Test
  void whenAnOlderBrokerStoredTheIdThenTheEventIsTheSame() {
    String stored = "{\"v\":1,\"id\":\"1764000000000-2\"," + REST;

    assertThat(EventEntry.eventJson("1764000000000-2", stored))
        .isEqualTo(EventEntry.eventJson("1764000000000-2", "{\"v\":1," + REST))
        .isEqualTo(stored);
  }

  @Test
  void whenTheStoredIdDiffersFromTheEntryIdThenTheEntryIdWins() {
    assertThat(EventEntry.eventJson("9-0", "{\"v\":1,\"id\":\"1-0\"," + REST))
        .isEqualTo("{\"v\":1,\"id\":\"9-0\"," + REST);
  }

  @Test
  void whenTheEntryIsAJsonObjectInAnotherLayoutThenItGetsTheEntryIdAfterV() throws IOException {
    String stored = "{ \"type\": \"user.revoked\", \"id\": \"1-0\", \"v\": 1, \"sub\": \"u\" }";

    JsonNode event = JSON.readTree(EventEntry.eventJson("5-3", stored));

    assertThat(event.toString())
        .isEqualTo("{\"v\":1,\"id\":\"5-3\",\"type\":\"user.revoked\",\"sub\":\"u\"}");
  }

  @Test
  void whenTheEntryIsNoJsonObjectThenItComesBackForTheReaderToRefuse() {
    assertThat(EventEntry.eventJson("5-3", "not json")).isEqualTo("not json");
    assertThat(EventEntry.eventJson("5-3", "[1,2]")).isEqualTo("[1,2]");
  }

  /** An XRANGE reply entry {@code [id, [field, value, ...]]} as the Vert.x client returns it. */
  private static Response entry(String id, String... fieldsAndValues) {
    MultiType fields = MultiType.create(fieldsAndValues.length, false);
    for (String word : fieldsAndValues) {
      fields.add(BulkType.create(Buffer.buffer(word), false));
    }
    MultiType entry = MultiType.create(2, false);
    entry.add(BulkType.create(Buffer.buffer(id), false));
    entry.add(fields);
    return Response.newInstance(entry);
  }

  @Test
  void whenAnEntryHoldsTheEventThenItIsReadWithItsId() {
    assertThat(EventEntry.read("s", entry("5-3", "event", "{\"v\":1," + REST)))
        .hasValueSatisfying(
            event -> {
              assertThat(event.get("id").asText()).isEqualTo("5-3");
              assertThat(event.get("sid").asText()).isEqualTo("s-1");
            });
  }

  @Test
  void whenAnEntryIsNotAJsonObjectOrHasNoEventFieldThenItIsUnreadable() {
    assertThat(EventEntry.read("s", entry("5-3", "event", "not json"))).isEmpty();
    assertThat(EventEntry.read("s", entry("5-3", "event", "{\"v\":1,garbage"))).isEmpty();
    assertThat(EventEntry.read("s", entry("5-3", "event", "[1,2]"))).isEmpty();
    assertThat(EventEntry.read("s", entry("5-3", "other", "{\"v\":1," + REST))).isEmpty();
    assertThat(EventEntry.read("s", entry("5-3"))).isEmpty();
  }
}
