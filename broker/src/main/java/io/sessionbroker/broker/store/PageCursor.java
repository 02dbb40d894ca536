package io.sessionbroker.broker.store;

import static io.sessionbroker.broker.store.RedisKeys.SEP;

import io.sessionbroker.broker.session.SessionPage;
import io.sessionbroker.broker.session.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Opaque paging cursors: the position (issuer, client, bucket, session id) of the last item of the
 * previous page, base64url-encoded. Positions, not offsets, so a page stays stable while sessions
 * are added or removed elsewhere.
 */
final class PageCursor {

  /** A decoded cursor. */
  record Position(String issuer, String clientId, int bucket, String sessionId) {}

  private PageCursor() {}

  static String encode(Position position) {
    String raw =
        String.join(
            SEP,
            position.issuer(),
            position.clientId(),
            Integer.toString(position.bucket()),
            position.sessionId());
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Decodes a cursor from a client.
   *
   * @throws IllegalArgumentException when it was not made by {@link #encode}
   */
  static Position decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      String[] parts = raw.split(SEP, -1);
      if (parts.length != 4) {
        throw new IllegalArgumentException("cursor is not one this API returned");
      }
      return new Position(parts[0], parts[1], Integer.parseInt(parts[2]), parts[3]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cursor is not one this API returned", e);
    }
  }

  /** Pages over an already sorted, complete list (small result sets: one user, one sid). */
  static SessionPage pageOfSorted(List<SessionRecord> sorted, int limit, String cursor) {
    int start = 0;
    if (cursor != null) {
      Position after = decode(cursor);
      while (start < sorted.size() && !isAfter(sorted.get(start), after)) {
        start++;
      }
    }
    int end = Math.min(sorted.size(), start + limit);
    List<SessionRecord> items = new ArrayList<>(sorted.subList(start, end));
    String next = end < sorted.size() ? encode(positionOf(items.get(items.size() - 1), 0)) : null;
    return new SessionPage(items, next);
  }

  static Position positionOf(SessionRecord record, int bucket) {
    return new Position(record.issuer(), record.clientId(), bucket, record.sessionId());
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
