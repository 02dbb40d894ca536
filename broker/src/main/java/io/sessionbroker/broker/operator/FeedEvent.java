package io.sessionbroker.broker.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * One revocation event as the operator page shows it (event format v1, SPEC §3.3).
 *
 * @param id stream id
 * @param at when it was revoked (ISO-8601)
 * @param clientId the client whose stream holds it
 * @param type event type
 * @param reason why
 * @param sid SSO session, or empty
 * @param sub user, or empty
 * @param sessions number of registered sessions it revoked
 */
public record FeedEvent(
    String id,
    String at,
    String clientId,
    String type,
    String reason,
    String sid,
    String sub,
    int sessions) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Parses a stored event; an unreadable one becomes a row that says so. */
  static FeedEvent of(String json) {
    try {
      return of(JSON.readTree(json));
    } catch (IOException e) {
      return new FeedEvent("0-0", "", "", "unreadable", "", "", "", 0);
    }
  }

  /** The row of an event read from a stream ({@code EventEntry#read}). */
  static FeedEvent of(JsonNode event) {
    return new FeedEvent(
        event.path("id").asText(),
        event.path("at").asText(),
        event.path("clientId").asText(),
        event.path("type").asText(),
        event.path("reason").asText(),
        event.path("sid").asText(""),
        event.path("sub").asText(""),
        event.path("sessionIds").size());
  }

  /** Orders stream ids {@code <millis>-<seq>} numerically. */
  static int compareIds(String a, String b) {
    String[] left = a.split("-", 2);
    String[] right = b.split("-", 2);
    int byTime = Long.compare(parse(left[0]), parse(right[0]));
    return byTime != 0
        ? byTime
        : Long.compare(
            parse(left.length > 1 ? left[1] : "0"), parse(right.length > 1 ? right[1] : "0"));
  }

  private static long parse(String number) {
    try {
      return Long.parseLong(number);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
