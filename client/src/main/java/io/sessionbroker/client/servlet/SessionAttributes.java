package io.sessionbroker.client.servlet;

import jakarta.servlet.http.HttpSession;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;

/**
 * The {@link HttpSession} attributes through which an application tells the servlet integration who
 * is signed in. Set them right after sign-in (after changing the session id), e.g. with {@link
 * #signedIn(HttpSession, String, String, Instant)}.
 */
public final class SessionAttributes {

  /** Keycloak's SSO session id ({@code sid} claim of the ID token). A {@link String}. */
  public static final String SID = "io.sessionbroker.sid";

  /** The user ({@code sub} claim). A {@link String}. */
  public static final String SUB = "io.sessionbroker.sub";

  /**
   * When the user signed in to this session. An {@link Instant}, a {@link Date}, epoch milliseconds
   * as {@link Long} or an ISO-8601 {@link String}. When absent the session's creation time is used,
   * which for a session created before sign-in is earlier than the sign-in, so a user- or
   * client-wide revocation between the two would wrongly hit it: set it.
   */
  public static final String CREATED_AT = "io.sessionbroker.createdAt";

  /**
   * The id under which the session was registered with the broker, when it is not {@link
   * HttpSession#getId()}. A {@link String}.
   */
  public static final String SESSION_ID = "io.sessionbroker.sessionId";

  private SessionAttributes() {}

  /** Marks the session as signed in by {@code sub} in SSO session {@code sid} at {@code at}. */
  public static void signedIn(HttpSession session, String sid, String sub, Instant at) {
    Objects.requireNonNull(session, "session");
    session.setAttribute(CREATED_AT, Objects.requireNonNull(at, "at"));
    session.setAttribute(SUB, sub);
    session.setAttribute(SID, sid);
  }

  static String sid(HttpSession session) {
    return text(session.getAttribute(SID));
  }

  static String sub(HttpSession session) {
    return text(session.getAttribute(SUB));
  }

  static String registeredId(HttpSession session) {
    String id = text(session.getAttribute(SESSION_ID));
    return id != null ? id : session.getId();
  }

  static boolean isSignedIn(HttpSession session) {
    return sid(session) != null || sub(session) != null;
  }

  static Instant createdAt(HttpSession session) {
    Object value = session.getAttribute(CREATED_AT);
    if (value instanceof Instant instant) {
      return instant;
    }
    if (value instanceof Date date) {
      return date.toInstant();
    }
    if (value instanceof Long millis) {
      return Instant.ofEpochMilli(millis);
    }
    if (value instanceof String text && !text.isBlank()) {
      try {
        return Instant.parse(text);
      } catch (java.time.format.DateTimeParseException e) {
        // Fall back to the container's creation time below.
      }
    }
    return Instant.ofEpochMilli(session.getCreationTime());
  }

  /** An id attribute exactly as stored; null when absent or not a string. Never trimmed. */
  private static String text(Object value) {
    return value instanceof String text ? text : null;
  }
}
