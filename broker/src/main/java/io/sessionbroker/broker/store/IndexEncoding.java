package io.sessionbroker.broker.store;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;

/**
 * The entries of the client and user index buckets ({@link RedisKeys}), written and read only here.
 *
 * <ul>
 *   <li>Client index: field {@code <sessionId>}, value {@code <expiry>,<sid>}.
 *   <li>User index: field {@code <sid>}, value {@code <expiry>,<sub>}.
 * </ul>
 *
 * <p>The expiry is epoch milliseconds in base 36 ({@link RedisKeys#encodeTime}); it comes first
 * because {@code lua/index_put.lua} sweeps expired entries by reading the value's leading letters
 * and digits, and needs nothing else of the layout. A {@code sid} or {@code sub} that is a UUID in
 * canonical form (lower-case hex, as Keycloak issues them) is stored compact ({@link #compactId}):
 * {@code !} and its 16 bytes in unpadded base64url, 23 characters instead of 36, which saves about
 * 26 bytes of Redis memory per registration at the SPEC §6 scale. Any other id is stored as it is.
 * Entries written before the compact form (plain UUIDs) read the same.
 */
public final class IndexEncoding {

  /**
   * Marks a compact UUID. No id starts with it ({@link io.sessionbroker.broker.session.IdRule}), so
   * a stored id is never mistaken for a compact one.
   */
  static final char COMPACT = '!';

  private static final int UUID_LENGTH = 36;
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder BASE64_DECODER = Base64.getUrlDecoder();

  private IndexEncoding() {}

  /** The value of a client index entry (its field is the session id). */
  public static String clientIndexValue(long expiresAtMillis, String sid) {
    return RedisKeys.encodeTime(expiresAtMillis) + "," + compactId(sid);
  }

  /** The field of a user index entry: the sid. */
  public static String userIndexField(String sid) {
    return compactId(sid);
  }

  /** The value of a user index entry. */
  public static String userIndexValue(long expiresAtMillis, String sub) {
    return RedisKeys.encodeTime(expiresAtMillis) + "," + compactId(sub);
  }

  /** The sid of a user index field. */
  public static String sidOfUserIndexField(String field) {
    return expandId(field);
  }

  /**
   * The id after the expiry of an index value: the sid (client index) or the sub (user index).
   *
   * @return the id, or {@code null} when {@code value} is not an index value
   */
  public static String idOfValue(String value) {
    int comma = value.indexOf(',');
    return comma > 0 && comma + 1 < value.length() ? expandId(value.substring(comma + 1)) : null;
  }

  /**
   * The expiry of an index value, epoch milliseconds.
   *
   * @return the expiry, or -1 when {@code value} is not an index value
   */
  public static long expiryOfValue(String value) {
    int comma = value.indexOf(',');
    if (comma <= 0) {
      return -1;
    }
    try {
      return RedisKeys.decodeTime(value.substring(0, comma));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code id} as stored: compact when it is a canonical UUID, else unchanged. */
  static String compactId(String id) {
    if (!isCanonicalUuid(id)) {
      return id;
    }
    UUID uuid = UUID.fromString(id);
    ByteBuffer bytes = ByteBuffer.allocate(16);
    bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    return COMPACT + BASE64.encodeToString(bytes.array());
  }

  /**
   * The inverse of {@link #compactId}; an id stored as it is (also one written before the compact
   * form) comes back unchanged.
   *
   * @throws IllegalArgumentException when a compact id is not 16 bytes of base64url
   */
  static String expandId(String stored) {
    if (stored.isEmpty() || stored.charAt(0) != COMPACT) {
      return stored;
    }
    byte[] bytes = BASE64_DECODER.decode(stored.substring(1));
    if (bytes.length != 16) {
      throw new IllegalArgumentException("A compact id must hold 16 bytes, not " + bytes.length);
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    return new UUID(buffer.getLong(), buffer.getLong()).toString();
  }

  private static boolean isCanonicalUuid(String id) {
    if (id.length() != UUID_LENGTH) {
      return false;
    }
    for (int i = 0; i < UUID_LENGTH; i++) {
      char c = id.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
