package io.sessionbroker.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionbroker.client.EventType;
import io.sessionbroker.client.Reason;
import io.sessionbroker.client.RevocationEvent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads event JSON version 1 (SPEC §3.3). Unknown fields are ignored; events of another version, of
 * an unknown type or unreadable are skipped with a WARN (the version warning only once).
 */
public final class EventParser {

  /** The only event format version this library understands. */
  public static final int SUPPORTED_VERSION = 1;

  private static final Logger LOG = LoggerFactory.getLogger(EventParser.class);

  private final ObjectMapper mapper = new ObjectMapper();
  private final AtomicBoolean versionWarned = new AtomicBoolean();

  /**
   * The outcome of reading one message.
   *
   * @param id the stream id, {@code null} when the message carried none (or an invalid one)
   * @param event the event, {@code null} when it is to be skipped (its id still counts as seen)
   */
  public record Parsed(StreamId id, RevocationEvent event) {}

  /**
   * Reads a stream entry: its id and the value of its {@code event} field. The entry id is the
   * event's id: the broker stores the event without {@code id}, older brokers stored it with one
   * equal to the entry id; a stored {@code id} is ignored either way (docs/event-format.md).
   */
  public Parsed parseStreamEntry(String streamId, String json) {
    return parse(StreamId.parse(streamId), json);
  }

  /** Reads a live pub/sub message, which carries its stream id in the {@code id} field. */
  public Parsed parseLiveMessage(String json) {
    return parse(null, json);
  }

  private Parsed parse(StreamId entryId, String json) {
    JsonNode root;
    try {
      root = json == null ? null : mapper.readTree(json);
    } catch (JsonProcessingException e) {
      root = null;
    }
    StreamId id = entryId != null ? entryId : idOf(root);
    if (root == null || !root.isObject()) {
      LOG.warn("Skipping unreadable revocation message (id {}): not a JSON object", id);
      return new Parsed(id, null);
    }
    int version = root.path("v").asInt(-1);
    if (version != SUPPORTED_VERSION) {
      if (versionWarned.compareAndSet(false, true)) {
        LOG.warn(
            "Skipping revocation events of format version {} (id {}); this library reads version"
                + " {} only. Further such events are skipped silently.",
            root.path("v").asText("(none)"),
            id,
            SUPPORTED_VERSION);
      }
      return new Parsed(id, null);
    }
    if (id == null) {
      return new Parsed(null, null);
    }
    Optional<EventType> type = EventType.fromWireName(text(root, "type"));
    if (type.isEmpty()) {
      LOG.warn("Skipping revocation event {} of unknown type '{}'", id, text(root, "type"));
      return new Parsed(id, null);
    }
    Instant at = instant(root, "at", id).orElse(id.timestamp());
    Instant notBefore =
        type.get() == EventType.CLIENT_REVOKED
            ? instant(root, "notBefore", id).orElse(at)
            : instant(root, "notBefore", id).orElse(null);
    return new Parsed(
        id,
        new RevocationEvent(
            id.toString(),
            type.get(),
            Reason.fromWireName(text(root, "reason")),
            text(root, "issuer"),
            text(root, "clientId"),
            text(root, "sid"),
            text(root, "sub"),
            sessionIds(root),
            at,
            notBefore));
  }

  private static StreamId idOf(JsonNode root) {
    String text = root == null ? null : text(root, "id");
    if (text == null) {
      return null;
    }
    try {
      return StreamId.parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull() || !node.isValueNode()) {
      return null;
    }
    String value = node.asText();
    return value.isEmpty() ? null : value;
  }

  private static Optional<Instant> instant(JsonNode root, String field, StreamId id) {
    String value = text(root, field);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(value));
    } catch (DateTimeParseException e) {
      LOG.warn("Revocation event {} has an unreadable '{}'; using a fallback", id, field);
      return Optional.empty();
    }
  }

  private static List<String> sessionIds(JsonNode root) {
    JsonNode array = root.get("sessionIds");
    if (array == null || !array.isArray()) {
      return List.of();
    }
    List<String> ids = new ArrayList<>(array.size());
    array.forEach(
        node -> {
          if (node.isTextual() && !node.asText().isEmpty()) {
            ids.add(node.asText());
          }
        });
    return ids;
  }
}
