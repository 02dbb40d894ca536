package io.sessionbroker.broker.testing;

import io.lettuce.core.StreamMessage;
import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.store.EventEntry;
import io.vertx.mutiny.redis.client.Response;

/**
 * Reads of the per-client event streams (SPEC §3.3). A test takes an entry's event through {@link
 * #event}, which rebuilds it as the broker published it ({@link EventEntry#eventJson}: the entry id
 * is the event's {@code id}), never from the stored field alone.
 */
public final class EventStreams {

  private EventStreams() {}

  /** The event JSON of an entry read with Lettuce ({@code XRANGE}, {@code XREAD}). */
  public static String event(StreamMessage<String, String> message) {
    return EventEntry.eventJson(message.getId(), message.getBody().get(EventEntry.FIELD));
  }

  /** The event JSON of an entry {@code [id, [field, value]]} read with the Vert.x client. */
  public static String event(Response entry) {
    return EventEntry.eventJson(entry.get(0).toString(), entry.get(1).get(1).toString());
  }

  /**
   * Whether {@code clientId}'s stream of the test issuer {@code test} holds an event of {@code
   * sid}.
   */
  public static boolean holdsEventFor(RedisDataSource redis, String clientId, String sid) {
    Response entries = redis.execute("XRANGE", "sb:events:test:" + clientId, "-", "+");
    if (entries == null) {
      return false;
    }
    for (Response entry : entries) {
      if (event(entry).contains("\"sid\":\"" + sid + "\"")) {
        return true;
      }
    }
    return false;
  }
}
