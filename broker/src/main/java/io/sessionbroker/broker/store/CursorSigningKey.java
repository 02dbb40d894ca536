package io.sessionbroker.broker.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The key that signs paging cursors, the same for every broker replica, with nothing to configure:
 * the first replica that needs it generates 32 random bytes and stores them in Redis with {@code
 * SET NX} under {@link RedisKeys#cursorSigningKey()}; every replica then reads the stored one and
 * keeps it in memory. The key has no expiry. Deleting it (to rotate) makes the outstanding cursors
 * invalid: their next use is answered 400 and the client starts again without a cursor.
 */
@ApplicationScoped
public class CursorSigningKey {

  private static final int KEY_BYTES = 32;

  private final RedisDataSource redis;
  private final RedisKeys keys;
  private final SecureRandom random = new SecureRandom();
  private volatile PageCursor cursors;

  CursorSigningKey(RedisDataSource redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Cursors signed with the shared key; the first call per process reads (or creates) it. */
  PageCursor cursors() {
    PageCursor current = cursors;
    if (current == null) {
      synchronized (this) {
        if (cursors == null) {
          cursors = new PageCursor(loadOrCreate());
        }
        current = cursors;
      }
    }
    return current;
  }

  private byte[] loadOrCreate() {
    byte[] fresh = new byte[KEY_BYTES];
    random.nextBytes(fresh);
    String key = keys.cursorSigningKey();
    redis.execute("SET", key, Base64.getEncoder().encodeToString(fresh), "NX");
    Response stored = redis.execute("GET", key);
    if (stored == null) {
      throw new IllegalStateException("The cursor signing key vanished right after SET NX");
    }
    byte[] shared = Base64.getDecoder().decode(stored.toString());
    if (shared.length < KEY_BYTES) {
      throw new IllegalStateException(
          "The cursor signing key in Redis is shorter than " + KEY_BYTES + " bytes");
    }
    return shared;
  }
}
