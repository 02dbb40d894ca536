package io.sessionbroker.client;

import java.util.Optional;

/** The kind of a {@link RevocationEvent}: what it revokes. */
public enum EventType {

  /** One SSO session ({@code sid}) and the listed session ids. */
  SESSION_REVOKED("session.revoked"),

  /** Every session of a user ({@code sub}) issued before the event's {@code at}. */
  USER_REVOKED("user.revoked"),

  /** Every session of the client issued before the event's {@code notBefore}. */
  CLIENT_REVOKED("client.revoked");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  /** The value of the JSON {@code type} field, e.g. {@code session.revoked}. */
  public String wireName() {
    return wireName;
  }

  /** The type for a JSON {@code type} value; empty for a value this version does not know. */
  public static Optional<EventType> fromWireName(String value) {
    for (EventType type : values()) {
      if (type.wireName.equals(value)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }
}
