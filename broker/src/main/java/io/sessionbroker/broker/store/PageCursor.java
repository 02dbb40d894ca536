package io.sessionbroker.broker.store;

import static io.sessionbroker.broker.store.RedisKeys.SEP;

import io.sessionbroker.broker.session.InvalidCursorException;
import io.sessionbroker.broker.session.SessionPage;
import io.sessionbroker.broker.session.SessionQuery;
import io.sessionbroker.broker.session.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque, tamper-evident paging cursors (SPEC §3.2): the position (issuer, sid, client, bucket,
 * session id) after which the next page starts, with an HMAC-SHA256 over that position, the query's
 * filters and the requester. Positions, not offsets, so a page stays stable while sessions are
 * added or removed elsewhere.
 *
 * <p>Shape: {@code base64url(position) "." base64url(first 16 bytes of the HMAC)}. A cursor whose
 * MAC does not match (made up, edited, or issued for another query or caller) is refused with
 * {@link InvalidCursorException} before the position is used, so no cursor can point the pager at a
 * position the broker never handed out. The key is shared by all replicas ({@link
 * CursorSigningKey}).
 */
final class PageCursor {

  /** Longest cursor accepted, in characters; the broker's own are far shorter. */
  static final int MAX_LENGTH = 2048;

  private static final int MAC_BYTES = 16;
  private static final String MAC_ALGORITHM = "HmacSHA256";
  private static final String INVALID =
      "cursor is not one this API returned for this query and caller; start without a cursor";

  /**
   * A decoded cursor: the last position handled. An empty {@code sessionId} means "before the first
   * session of {@code bucket}" (client walks), an empty {@code clientId} "before the first session
   * of {@code sid}" (user walks). Unused fields are empty or 0.
   */
  record Position(String issuer, String sid, String clientId, int bucket, String sessionId) {}

  private final SecretKeySpec key;

  PageCursor(byte[] key) {
    this.key = new SecretKeySpec(key, MAC_ALGORITHM);
  }

  /** The cursor of {@code position} for {@code query}. */
  String encode(Position position, SessionQuery query) {
    byte[] payload =
        String.join(
                SEP,
                position.issuer(),
                position.sid(),
                position.clientId(),
                Integer.toString(position.bucket()),
                position.sessionId())
            .getBytes(StandardCharsets.UTF_8);
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    return base64.encodeToString(payload) + "." + base64.encodeToString(mac(payload, query));
  }

  /**
   * Decodes the cursor of {@code query}, or null when it has none.
   *
   * @throws InvalidCursorException when the broker did not issue it for this query and requester
   */
  Position decode(SessionQuery query) {
    String cursor = query.cursor();
    if (cursor == null) {
      return null;
    }
    int dot = cursor.indexOf('.');
    if (cursor.length() > MAX_LENGTH || dot < 0) {
      throw new InvalidCursorException(INVALID);
    }
    byte[] payload;
    byte[] mac;
    try {
      payload = Base64.getUrlDecoder().decode(cursor.substring(0, dot));
      mac = Base64.getUrlDecoder().decode(cursor.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw new InvalidCursorException(INVALID);
    }
    // Only the canonical text counts: base64 lets a last character's unused bits vary.
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    if (!cursor.equals(base64.encodeToString(payload) + "." + base64.encodeToString(mac))
        || !MessageDigest.isEqual(mac, mac(payload, query))) {
      throw new InvalidCursorException(INVALID);
    }
    String[] parts = new String(payload, StandardCharsets.UTF_8).split(SEP, -1);
    if (parts.length != 5) {
      throw new InvalidCursorException(INVALID);
    }
    int bucket;
    try {
      bucket = Integer.parseInt(parts[3]);
    } catch (NumberFormatException e) {
      throw new InvalidCursorException(INVALID);
    }
    if (bucket < 0 || bucket >= RedisKeys.CLIENT_BUCKETS) {
      throw new InvalidCursorException(INVALID);
    }
    return new Position(parts[0], parts[1], parts[2], bucket, parts[4]);
  }

  /** Pages over an already sorted, complete list (small result sets: one user, one sid). */
  SessionPage pageOfSorted(List<SessionRecord> sorted, SessionQuery query) {
    Position after = decode(query);
    int start = 0;
    if (after != null) {
      while (start < sorted.size() && !isAfter(sorted.get(start), after)) {
        start++;
      }
    }
    int end = Math.min(sorted.size(), start + query.limit());
    List<SessionRecord> items = new ArrayList<>(sorted.subList(start, end));
    String next =
        end < sorted.size() ? encode(positionOf(items.get(items.size() - 1), 0), query) : null;
    return new SessionPage(items, next);
  }

  static Position positionOf(SessionRecord record, int bucket) {
    return new Position(record.issuer(), "", record.clientId(), bucket, record.sessionId());
  }

  /**
   * The MAC binds the position to everything that gives it meaning: the filters (a position of one
   * client's walk must not steer another's) and the requester (a cursor is no capability to hand
   * on). Fields are length-prefixed so no two different inputs share an encoding.
   */
  private byte[] mac(byte[] payload, SessionQuery query) {
    try {
      Mac mac = Mac.getInstance(MAC_ALGORITHM);
      mac.init(key);
      mac.update("session-broker cursor v1".getBytes(StandardCharsets.UTF_8));
      update(mac, payload);
      for (String field :
          new String[] {
            query.issuer(), query.clientId(), query.sid(), query.sub(), query.requester()
          }) {
        update(mac, field == null ? null : field.getBytes(StandardCharsets.UTF_8));
      }
      return Arrays.copyOf(mac.doFinal(), MAC_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  private static void update(Mac mac, byte[] field) {
    if (field == null) {
      mac.update((byte) 0);
      return;
    }
    mac.update((byte) 1);
    mac.update(
        new byte[] {
          (byte) (field.length >>> 24),
          (byte) (field.length >>> 16),
          (byte) (field.length >>> 8),
          (byte) field.length
        });
    mac.update(field);
  }

  private static boolean isAfter(SessionRecord record, Position position) {
    int byIssuer = record.issuer().compareTo(position.issuer());
    if (byIssuer != 0) {
      return byIssuer > 0;
    }
    int byClient = record.clientId().compareTo(position.clientId());
    if (byClient != 0) {
      return byClient > 0;
    }
    return record.sessionId().compareTo(position.sessionId()) > 0;
  }
}
