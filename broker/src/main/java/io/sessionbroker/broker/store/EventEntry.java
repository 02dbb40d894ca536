package io.sessionbroker.broker.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.mutiny.redis.client.Response;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A revocation event as an entry of a client's stream (SPEC §3.3, docs/event-format.md): one field,
 * {@value #FIELD}, holding the event JSON without its {@code id}; the entry id is the event id.
 * Entries written by brokers before this layout hold the whole event, {@code id} included (equal to
 * the entry id). {@link #eventJson} reads both; {@code lua/append_event.lua} writes the entry and
 * builds the published message by the same rule, with the constants {@link #luaHeader()} declares.
 * {@link #read} is the one rule by which every reader of the streams (the events API, the verdict
 * feed, the operator page) takes an entry, or skips it when it is unreadable.
 */
public final class EventEntry {

  /** The entry's only field. */
  public static final String FIELD = "event";

  /** How the broker's event JSON (version 1) begins: the members before {@code id}. */
  static final String HEAD = "{\"v\":1,";

  /** The {@code id} member up to its value, as the broker writes it right after {@link #HEAD}. */
  static final String ID_MEMBER = "\"id\":\"";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = Logger.getLogger(EventEntry.class);

  private EventEntry() {}

  /**
   * The event of one entry of an {@code XRANGE}, {@code XREVRANGE} or {@code XREAD} reply, {@code
   * [id, [field, value, ...]]}: the JSON object {@link #eventJson} makes of its {@value #FIELD}
   * field. An entry without that field, or whose value is not a JSON object, is unreadable: the
   * reader skips it and moves its cursor past it, as the client libraries do (Java {@code
   * EventParser}, Python {@code parse_stream_entry}), so one bad entry never withholds the events
   * behind it. Each skip is logged at WARN with the stream and the entry id, never the content.
   *
   * @param stream the stream's key, for the warning
   * @param entry one entry of the reply
   * @return the event (a JSON object whose {@code id} is the entry id), or empty when unreadable
   */
  public static Optional<ObjectNode> read(String stream, Response entry) {
    String id = entry.get(0).toString();
    Response fields = entry.size() > 1 ? entry.get(1) : null;
    String stored = null;
    for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
      Response value = fields.get(i + 1);
      if (FIELD.equals(String.valueOf(fields.get(i))) && value != null) {
        stored = value.toString();
        break;
      }
    }
    if (stored != null) {
      try {
        if (JSON.readTree(eventJson(id, stored)) instanceof ObjectNode event) {
          return Optional.of(event);
        }
      } catch (JsonProcessingException e) {
        // Unreadable: skipped below.
      }
    }
    LOG.warnf(
        "Skipped unreadable entry %s of stream %s: its field '%s' is missing or not a JSON object",
        id, stream, FIELD);
    return Optional.empty();
  }

  /**
   * The event JSON of a stream entry, as the broker published it: the stored JSON with member
   * {@code "id":"<entryId>"} after {@code v}. A stored {@code id} (older entries) is replaced: the
   * entry id wins, as the stream orders and dedupes by it. An entry the broker did not write in
   * either layout but that is a JSON object gets the same member by re-serialising it; anything
   * else (not JSON, not an object) comes back unchanged for the reader to refuse.
   *
   * @param entryId the entry id, {@code <ms>-<seq>}
   * @param stored the value of the entry's {@value #FIELD} field
   * @return the version-1 event JSON with {@code id}
   */
  public static String eventJson(String entryId, String stored) {
    if (stored.startsWith(HEAD)) {
      int rest = HEAD.length();
      if (stored.startsWith(ID_MEMBER, rest)) {
        int close = stored.indexOf('"', rest + ID_MEMBER.length());
        if (close > 0 && stored.startsWith(",", close + 1)) {
          rest = close + 2;
        } else {
          return reserialised(entryId, stored);
        }
      }
      return HEAD + ID_MEMBER + entryId + "\"," + stored.substring(rest);
    }
    return reserialised(entryId, stored);
  }

  private static String reserialised(String entryId, String stored) {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(stored);
    } catch (JsonProcessingException e) {
      return stored;
    }
    if (parsed == null || !parsed.isObject()) {
      return stored;
    }
    ObjectNode event = JSON.createObjectNode();
    if (parsed.has("v")) {
      event.set("v", parsed.get("v"));
    }
    event.put("id", entryId);
    for (Iterator<Map.Entry<String, JsonNode>> it = parsed.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> member = it.next();
      if (!member.getKey().equals("v") && !member.getKey().equals("id")) {
        event.set(member.getKey(), member.getValue());
      }
    }
    return event.toString();
  }

  /**
   * The Lua declarations of this layout, prepended to every script ({@link LuaScript}): {@code
   * EVENT_FIELD}, {@code EVENT_HEAD}, {@code EVENT_ID_MEMBER}.
   */
  static String luaHeader() {
    Map<String, String> constants = new LinkedHashMap<>();
    constants.put("EVENT_FIELD", SidHash.luaString(FIELD));
    constants.put("EVENT_HEAD", SidHash.luaString(HEAD));
    constants.put("EVENT_ID_MEMBER", SidHash.luaString(ID_MEMBER));
    StringBuilder header =
        new StringBuilder("-- Generated from io.sessionbroker.broker.store.EventEntry.\n");
    constants.forEach(
        (name, value) ->
            header.append("local ").append(name).append(" = ").append(value).append('\n'));
    return header.toString();
  }
}
