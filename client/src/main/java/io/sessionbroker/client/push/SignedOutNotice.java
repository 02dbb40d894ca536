package io.sessionbroker.client.push;

import io.sessionbroker.client.Reason;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The words for a revocation, for a signed-out page: the page script sends the browser there with
 * {@code ?reason=&at=&delayMillis=} taken from the pushed event. Plain text (escape it for HTML);
 * unknown or malformed parameters fall back to a generic sentence.
 */
public final class SignedOutNotice {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private SignedOutNotice() {}

  /** Why, in one sentence, for a reason's wire name; {@code null} for an unknown one. */
  public static String why(String reason) {
    return switch (Reason.fromWireName(reason)) {
      case BACKCHANNEL_LOGOUT ->
          "You signed out at Keycloak (in this or another app): back-channel logout.";
      case ADMIN -> "An administrator revoked this session.";
      case KEYCLOAK_ADMIN ->
          "Keycloak ended every session of this app (\"logout all\" or a not-before push).";
      case EXPIRED -> "Your Keycloak session expired.";
      default -> null;
    };
  }

  /**
   * The full sentence: why, when (seconds, UTC) and the delay from the broker's event, e.g. "An
   * administrator revoked this session. At 20:31:05 UTC, pushed 12 ms after the broker's event."
   *
   * @param reason the event's reason (wire name), or {@code null}
   * @param at the event's {@code at} (ISO-8601), or {@code null}
   * @param delayMillis the push delay in milliseconds, or {@code null}
   * @return the sentence, or {@code fallback} when the reason is missing or unknown
   */
  public static String describe(String reason, String at, String delayMillis, String fallback) {
    String why = why(reason);
    if (why == null) {
      return fallback;
    }
    StringBuilder text = new StringBuilder(why);
    Instant when = parseInstant(at);
    if (when != null) {
      text.append(" At ").append(TIME.format(when));
      long delay = parseMillis(delayMillis);
      if (delay >= 0) {
        text.append(", pushed ").append(delay).append(" ms after the broker's event");
      }
      text.append('.');
    }
    return text.toString();
  }

  private static Instant parseInstant(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static long parseMillis(String text) {
    if (text == null) {
      return -1;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
