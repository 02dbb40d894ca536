package io.sessionbroker.broker.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields and values of a sid hash ({@link RedisKeys#sid}), defined here once for the broker's
 * Java and its Lua scripts: {@link LuaScript} prepends {@link #luaHeader()}, which declares these
 * constants in Lua, to every script, and the Lua helpers that read and write the values ({@code
 * lua/prelude.lua}) build on them. No script spells a field name, separator or value layout itself.
 *
 * <ul>
 *   <li>{@code <clientId>␟<sessionId>} ({@link #registrationField}): one registration, value {@link
 *       Registration}.
 *   <li>{@value #SUB_FIELD}: the user verified from an ID token, as {@link IndexEncoding#storedId}
 *       stores it.
 *   <li>{@value #TOMBSTONE_FIELD}: the logout tombstone of the whole SSO session, {@code
 *       !rev␟<clientId>} ({@link #clientTombstoneField}) one in client scope; value {@link
 *       Tombstone}.
 *   <li>{@value #LOGOUT_AUDIENCES_FIELD}: in scope {@code sso}, the clients whose logout tokens the
 *       current logout of the SSO session was asked by, each followed by {@link RedisKeys#SEP} and
 *       the list led by one: Keycloak sends one token per client, each with its own {@code iat}, so
 *       a later token for a client not in it is the same logout (see {@code lua/revoke_sid.lua}).
 * </ul>
 *
 * <p>A user's logout record ({@link RedisKeys#userLogout}, written by {@code lua/user_logout.lua})
 * is a hash of the same kind: {@value #TOMBSTONE_FIELD} holds the user's current logout as a {@link
 * Tombstone}, {@value #LOGOUT_AUDIENCES_FIELD} the clients whose tokens asked for it, and {@code
 * !org␟<revocation id>} ({@value #LOGOUT_ORIGIN_FIELD}) the {@link Tombstone} of the logout each
 * revocation id (a token's {@code jti}, an admin request id) was taken for.
 *
 * <p>Ids never start with {@value #RESERVED_PREFIX} ({@link
 * io.sessionbroker.broker.session.IdRule}), so the broker's own fields never meet a registration's.
 */
public final class SidHash {

  /** Field of the sid's verified user. */
  public static final String SUB_FIELD = "!sub";

  /** Field of the SSO session's logout tombstone; {@link #clientTombstoneField} in client scope. */
  public static final String TOMBSTONE_FIELD = "!rev";

  /** Field of the clients whose logout tokens asked for the SSO session's current logout. */
  public static final String LOGOUT_AUDIENCES_FIELD = "!aud";

  /**
   * In a user's logout record: a revocation id's field starts with it, then {@link RedisKeys#SEP}.
   */
  public static final String LOGOUT_ORIGIN_FIELD = "!org";

  /** How the broker's own fields start; a registration's field never does. */
  public static final String RESERVED_PREFIX = "!";

  /** Separates the parts of a registration or tombstone value. */
  static final String VALUE_SEP = ",";

  /** A registration's revocation time while it is active. */
  static final String NOT_REVOKED = RedisKeys.encodeTime(0);

  /** The radix of stored times ({@link RedisKeys#encodeTime}). */
  static final int TIME_RADIX = 36;

  private SidHash() {}

  /** Field of a registration. */
  public static String registrationField(String clientId, String sessionId) {
    return clientId + RedisKeys.SEP + sessionId;
  }

  /** Field of the tombstone of one client's logout of the SSO session (client scope). */
  public static String clientTombstoneField(String clientId) {
    return TOMBSTONE_FIELD + RedisKeys.SEP + clientId;
  }

  /** Whether a field is a registration's (not one of the broker's own). */
  public static boolean isRegistrationField(String field) {
    return !field.startsWith(RESERVED_PREFIX);
  }

  /** The client id of a registration field. */
  static String clientOfField(String registrationField) {
    return registrationField.substring(0, separatorOf(registrationField));
  }

  /** The session id of a registration field. */
  static String sessionOfField(String registrationField) {
    return registrationField.substring(separatorOf(registrationField) + 1);
  }

  private static int separatorOf(String registrationField) {
    int sep = registrationField.indexOf(RedisKeys.SEP);
    if (sep < 0) {
      throw new IllegalArgumentException("Not a registration field (no separator)");
    }
    return sep;
  }

  /**
   * A registration's value: {@code <created>,<expires>,<revokedAt>} (epoch ms in base 36, {@link
   * RedisKeys#encodeTime}; revokedAt {@code 0} while active) for a registration from an ID token,
   * whose user is the sid's verified {@value #SUB_FIELD}; that and {@code ,<claimed sub>} for one
   * whose app named its user itself ({@code ""}: it named none).
   *
   * @param createdAtMillis when it was first registered, epoch ms
   * @param expiresAtMillis when it expires, epoch ms
   * @param revokedAtMillis when it was revoked, epoch ms; 0 while active
   * @param claimedSub the user its app claimed ({@code ""}: none); null for a registration from an
   *     ID token
   */
  public record Registration(
      long createdAtMillis, long expiresAtMillis, long revokedAtMillis, String claimedSub) {

    /** The stored value. */
    public String format() {
      String times =
          RedisKeys.encodeTime(createdAtMillis)
              + VALUE_SEP
              + RedisKeys.encodeTime(expiresAtMillis)
              + VALUE_SEP
              + RedisKeys.encodeTime(revokedAtMillis);
      return claimedSub == null ? times : times + VALUE_SEP + claimedSub;
    }

    /**
     * A stored value.
     *
     * @throws IllegalArgumentException when {@code value} is no registration value
     */
    public static Registration parse(String value) {
      // At most four parts: a claimed sub may hold the separator itself.
      String[] parts = value.split(VALUE_SEP, 4);
      if (parts.length < 3) {
        throw new IllegalArgumentException("Not a registration value: " + parts.length + " parts");
      }
      return new Registration(
          RedisKeys.decodeTime(parts[0]),
          RedisKeys.decodeTime(parts[1]),
          RedisKeys.decodeTime(parts[2]),
          parts.length == 4 ? parts[3] : null);
    }

    public boolean revoked() {
      return revokedAtMillis != 0;
    }

    /**
     * Its user: its app's claim, else the sid's verified user; null when neither names one. A
     * record never shows a user its client did not give or prove.
     */
    public String user(String verifiedSub) {
      if (claimedSub == null) {
        return verifiedSub;
      }
      return claimedSub.isEmpty() ? null : claimedSub;
    }
  }

  /**
   * A logout tombstone's value: {@code <revokedAtMs>,<revocationSeconds>,<generation>}, decimal.
   * See {@code lua/revoke_sid.lua} for how each part moves. A tombstone of one number, written
   * before revocation times were kept, is a receipt time in ms: its revocation time is that second,
   * its generation 0.
   *
   * @param revokedAtMillis when the current logout was recorded, epoch ms (kept by its retries); 0
   *     once a session that started after it was admitted
   * @param revocationSeconds the latest revocation time (SPEC §3.2), epoch seconds
   * @param generation how many logouts of the sid came after the first: each one with a later
   *     revocation time than the recorded one, or after a session that started past the tombstone
   *     was admitted, is a new logout with its own events
   */
  public record Tombstone(long revokedAtMillis, long revocationSeconds, long generation) {

    /** The stored value. */
    public String format() {
      return revokedAtMillis + VALUE_SEP + revocationSeconds + VALUE_SEP + generation;
    }

    /**
     * A stored value.
     *
     * @throws IllegalArgumentException when {@code value} is no tombstone value
     */
    public static Tombstone parse(String value) {
      String[] parts = value.split(VALUE_SEP, -1);
      if (parts.length == 1) {
        long receivedAt = decimal(parts[0]);
        return new Tombstone(receivedAt, receivedAt / 1000, 0);
      }
      if (parts.length > 3) {
        throw new IllegalArgumentException("Not a tombstone value: " + parts.length + " parts");
      }
      long generation = parts.length == 3 && !parts[2].isEmpty() ? decimal(parts[2]) : 0;
      return new Tombstone(decimal(parts[0]), decimal(parts[1]), generation);
    }

    private static long decimal(String digits) {
      if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("Not a tombstone value: a part is no decimal number");
      }
      return Long.parseLong(digits);
    }
  }

  /**
   * The Lua declarations of this layout, prepended to every script ({@link LuaScript}): {@code
   * SEP}, {@code SUB_FIELD}, {@code TOMBSTONE_FIELD}, {@code LOGOUT_AUDIENCES_FIELD}, {@code
   * LOGOUT_ORIGIN_FIELD}, {@code RESERVED_PREFIX}, {@code VALUE_SEP}, {@code VALUE_SEP_PATTERN}
   * (the separator as a Lua pattern item), {@code NOT_REVOKED}, {@code TIME_RADIX}.
   */
  public static String luaHeader() {
    Map<String, String> constants = new LinkedHashMap<>();
    constants.put("SEP", luaString(RedisKeys.SEP));
    constants.put("SUB_FIELD", luaString(SUB_FIELD));
    constants.put("TOMBSTONE_FIELD", luaString(TOMBSTONE_FIELD));
    constants.put("LOGOUT_AUDIENCES_FIELD", luaString(LOGOUT_AUDIENCES_FIELD));
    constants.put("LOGOUT_ORIGIN_FIELD", luaString(LOGOUT_ORIGIN_FIELD));
    constants.put("RESERVED_PREFIX", luaString(RESERVED_PREFIX));
    constants.put("VALUE_SEP", luaString(VALUE_SEP));
    constants.put("VALUE_SEP_PATTERN", luaString(luaPatternLiteral(VALUE_SEP)));
    constants.put("NOT_REVOKED", luaString(NOT_REVOKED));
    constants.put("TIME_RADIX", Integer.toString(TIME_RADIX));
    StringBuilder header =
        new StringBuilder("-- Generated from io.sessionbroker.broker.store.SidHash.\n");
    constants.forEach(
        (name, value) ->
            header.append("local ").append(name).append(" = ").append(value).append('\n'));
    return header.toString();
  }

  /** A Lua string literal; bytes outside printable ASCII, quotes and backslashes as escapes. */
  static String luaString(String text) {
    StringBuilder literal = new StringBuilder("'");
    for (char c : text.toCharArray()) {
      if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
        literal.append(c);
      } else if (c < 0x80) {
        // Three digits: a following digit must not join the escape.
        literal.append(String.format("\\%03d", (int) c));
      } else {
        throw new IllegalArgumentException("Only ASCII in layout constants");
      }
    }
    return literal.append('\'').toString();
  }

  /** {@code text} as a Lua pattern that matches it literally: punctuation escaped with %. */
  private static String luaPatternLiteral(String text) {
    StringBuilder pattern = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (!Character.isLetterOrDigit(c)) {
        pattern.append('%');
      }
      pattern.append(c);
    }
    return pattern.toString();
  }
}
