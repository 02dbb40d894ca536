package io.sessionbroker.broker.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.UUID;

/**
 * The entries of the client and user index buckets ({@link RedisKeys}) and the stored form of ids,
 * written and read only here.
 *
 * <ul>
 *   <li>Client index: field {@code <sessionId>}, value {@code <expiry>,<sid>}, or {@code
 *       <expiry>!<compact sid>} when the sid is a UUID in canonical form (lower-case hex, as
 *       Keycloak issues them): {@code !} and its 16 bytes in unpadded base64url ({@link
 *       #compactId}), 23 characters instead of 36.
 *   <li>User index: field {@code <sid>} (compact when a canonical UUID), value {@code
 *       <expiry>#<fingerprint of the sub>} ({@link #subFingerprint}, at most 7 characters). The
 *       fingerprint only narrows the bucket down to the user's entries: whoever reads an entry
 *       confirms the user in the sid hash's own {@code !sub} or registrations, which every reader
 *       needs to read anyway.
 * </ul>
 *
 * <p>The sid hash's verified user ({@code !sub}) is stored the same way ({@link #storedId}):
 * compact when a canonical UUID. The Lua scripts never encode: the broker passes them both forms of
 * a sub and they compare the stored value with either, so a {@code !sub} written before the compact
 * form still matches.
 *
 * <p>The expiry is epoch milliseconds in base 36 ({@link RedisKeys#encodeTime}); it comes first
 * because {@code lua/index_put.lua} sweeps expired entries by reading the value's leading letters
 * and digits, and needs nothing else of the layout. The character after it tells the form of the
 * rest. Against plain ids everywhere ({@code <expiry>,<sid>}, {@code <expiry>,<sub>}, a plain
 * {@code !sub}) this takes Redis memory from 311 to 262 bytes per registration at the SPEC §6 scale
 * (docs/benchmarks.md). Values in the plain form, which brokers before this encoding wrote, read
 * the same.
 */
public final class IndexEncoding {

  /**
   * Marks a compact UUID. No id or sub starts with it ({@link
   * io.sessionbroker.broker.session.IdRule}, {@link io.sessionbroker.broker.session.SubjectRule}),
   * so a stored id is never mistaken for a compact one.
   */
  static final char COMPACT = '!';

  /** Separates the expiry from a plain id. */
  private static final char PLAIN = ',';

  /** Separates the expiry from a sub's fingerprint. */
  private static final char FINGERPRINT = '#';

  private static final int UUID_LENGTH = 36;
  private static final long FINGERPRINT_RANGE = 78_364_164_096L; // 36^7: 7 base-36 characters
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder BASE64_DECODER = Base64.getUrlDecoder();

  private IndexEncoding() {}

  /** The value of a client index entry (its field is the session id). */
  public static String clientIndexValue(long expiresAtMillis, String sid) {
    String id = compactId(sid);
    String expiry = RedisKeys.encodeTime(expiresAtMillis);
    // A compact id starts with its own marker, which then also ends the expiry.
    return id.charAt(0) == COMPACT ? expiry + id : expiry + PLAIN + id;
  }

  /**
   * The sid of a client index value.
   *
   * @return the sid, or {@code null} when {@code value} is no client index value
   */
  public static String sidOfClientIndexValue(String value) {
    int end = expiryEnd(value);
    if (end <= 0 || end + 1 >= value.length()) {
      return null;
    }
    char separator = value.charAt(end);
    if (separator == COMPACT) {
      return expandId(value.substring(end));
    }
    return separator == PLAIN ? value.substring(end + 1) : null;
  }

  /** The field of a user index entry: the sid. */
  public static String userIndexField(String sid) {
    return compactId(sid);
  }

  /** The sid of a user index field. */
  public static String sidOfUserIndexField(String field) {
    return expandId(field);
  }

  /** The value of a user index entry. */
  public static String userIndexValue(long expiresAtMillis, String sub) {
    return RedisKeys.encodeTime(expiresAtMillis) + FINGERPRINT + subFingerprint(sub);
  }

  /**
   * Whether a user index value may be an entry of {@code sub}: its fingerprint is the sub's (which
   * another sub shares with a chance of about 1 in 7.8 * 10^10: the reader confirms the user in the
   * sid hash), or, in the plain form, its sub is {@code sub}.
   */
  public static boolean mayBeEntryOf(String userIndexValue, String sub) {
    int end = expiryEnd(userIndexValue);
    if (end <= 0 || end + 1 >= userIndexValue.length()) {
      return false;
    }
    String rest = userIndexValue.substring(end + 1);
    return switch (userIndexValue.charAt(end)) {
      case FINGERPRINT -> rest.equals(subFingerprint(sub));
      case PLAIN -> rest.equals(sub);
      default -> false;
    };
  }

  /**
   * The expiry of a client or user index value, epoch milliseconds.
   *
   * @return the expiry, or -1 when {@code value} is no index value
   */
  public static long expiryOfValue(String value) {
    int end = expiryEnd(value);
    if (end <= 0 || end == value.length() || !isSeparator(value.charAt(end))) {
      return -1;
    }
    try {
      return RedisKeys.decodeTime(value.substring(0, end));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * A short, stable digest of a sub: SHA-256 reduced to 7 base-36 characters (about 36 bits). Not
   * the user bucket's CRC32, so subs that share a bucket still differ here.
   */
  static String subFingerprint(String sub) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(sub.getBytes(StandardCharsets.UTF_8));
      long high = ByteBuffer.wrap(digest).getLong();
      return Long.toString(Long.remainderUnsigned(high, FINGERPRINT_RANGE), 36);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the JVM spec", e);
    }
  }

  private static boolean isSeparator(char c) {
    return c == PLAIN || c == COMPACT || c == FINGERPRINT;
  }

  /** Where the base-36 expiry at the start of an index value ends. */
  private static int expiryEnd(String value) {
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
        break;
      }
      i++;
    }
    return i;
  }

  /**
   * An id as the sid hash's {@code !sub} and index entries store it: compact when a canonical UUID
   * ({@link #compactId}), else as it is ({@code ""} too).
   */
  public static String storedId(String id) {
    return compactId(id);
  }

  /**
   * The inverse of {@link #storedId}; a plain stored id (also one written before the compact form)
   * comes back unchanged.
   */
  public static String idOfStored(String stored) {
    return expandId(stored);
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
