package io.sessionbroker.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionbroker.client.RevocationEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parses every shared event vector in {@code test-vectors/events} (read by the Python library's
 * tests too) and compares with its {@code expected} member, as that folder's README says.
 */
class EventTestVectorsTest {

  private static final Path VECTORS = Path.of("..", "test-vectors", "events");
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Path> vectors() throws IOException {
    try (Stream<Path> files = Files.list(VECTORS)) {
      return files.filter(file -> file.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  @Test
  void whenVectorFolderIsReadThenItHoldsVectors() throws IOException {
    assertThat(vectors()).hasSizeGreaterThanOrEqualTo(10);
  }

  @Test
  void whenVectorFolderIsReadThenItHoldsStreamEntriesInBothLayouts() throws IOException {
    assertThat(streamEntryVectors()).hasSizeGreaterThanOrEqualTo(3);
  }

  static Stream<Path> streamEntryVectors() throws IOException {
    List<Path> withEntry = new ArrayList<>();
    for (Path file : vectors().toList()) {
      if (JSON.readTree(file.toFile()).has("streamEntry")) {
        withEntry.add(file);
      }
    }
    return withEntry.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void whenVectorIsParsedThenEventEqualsExpected(Path file) throws IOException {
    JsonNode vector = JSON.readTree(file.toFile());

    EventParser.Parsed parsed = new EventParser().parseLiveMessage(vector.get("message").asText());

    assertParsedAsExpected(vector, parsed);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streamEntryVectors")
  void whenVectorsStreamEntryIsParsedThenEventEqualsExpected(Path file) throws IOException {
    JsonNode vector = JSON.readTree(file.toFile());
    JsonNode entry = vector.get("streamEntry");

    EventParser.Parsed parsed =
        new EventParser().parseStreamEntry(entry.get("id").asText(), entry.get("event").asText());

    assertParsedAsExpected(vector, parsed);
  }

  private static void assertParsedAsExpected(JsonNode vector, EventParser.Parsed parsed) {
    JsonNode expected = vector.get("expected");
    if (expected == null || expected.isNull()) {
      assertThat(parsed.event()).as(vector.path("description").asText()).isNull();
      return;
    }
    RevocationEvent event = parsed.event();
    assertThat(event).as(vector.path("description").asText()).isNotNull();
    assertThat(event.id()).isEqualTo(expected.get("id").asText());
    assertThat(event.type().wireName()).isEqualTo(expected.get("type").asText());
    assertThat(event.reason().wireName()).isEqualTo(expected.get("reason").asText());
    assertThat(event.issuer()).isEqualTo(textOrNull(expected, "issuer"));
    assertThat(event.clientId()).isEqualTo(textOrNull(expected, "clientId"));
    assertThat(event.sid()).isEqualTo(textOrNull(expected, "sid"));
    assertThat(event.sub()).isEqualTo(textOrNull(expected, "sub"));
    List<String> sessionIds = new ArrayList<>();
    expected.get("sessionIds").forEach(id -> sessionIds.add(id.asText()));
    assertThat(event.sessionIds()).containsExactlyElementsOf(sessionIds);
    assertThat(event.at()).isEqualTo(instantOrNull(expected, "at"));
    assertThat(event.notBefore()).isEqualTo(instantOrNull(expected, "notBefore"));
  }

  private static String textOrNull(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static Instant instantOrNull(JsonNode node, String field) {
    String text = textOrNull(node, field);
    return text == null ? null : Instant.parse(text);
  }
}
