package io.sessionbroker.broker.store;

import io.vertx.mutiny.redis.client.Response;
import java.util.function.BiConsumer;

/** Reading replies of Redis commands and of the store's scripts. */
final class RedisReplies {

  private RedisReplies() {}

  /**
   * HGETALL answers a flat field/value array (the client speaks RESP2, see application.properties);
   * so do the scripts that return fields with their values. A null reply has no pairs.
   */
  static void forEachPair(Response flatPairs, BiConsumer<String, String> action) {
    if (flatPairs == null) {
      return;
    }
    for (int i = 0; i + 1 < flatPairs.size(); i += 2) {
      action.accept(flatPairs.get(i).toString(), flatPairs.get(i + 1).toString());
    }
  }

  /** A script's {@code ''} for "none" as null. */
  static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
