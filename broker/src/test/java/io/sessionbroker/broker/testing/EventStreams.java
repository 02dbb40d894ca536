package io.sessionbroker.broker.testing;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;

/** Reads of the per-client event streams (SPEC §3.3) of the test issuer {@code test}. */
public final class EventStreams {

  private EventStreams() {}

  /** Whether {@code clientId}'s stream holds an event naming {@code sid}. */
  public static boolean holdsEventFor(RedisDataSource redis, String clientId, String sid) {
    Response entries = redis.execute("XRANGE", "sb:events:test:" + clientId, "-", "+");
    if (entries == null) {
      return false;
    }
    for (Response entry : entries) {
      if (entry.get(1).get(1).toString().contains("\"sid\":\"" + sid + "\"")) {
        return true;
      }
    }
    return false;
  }
}
