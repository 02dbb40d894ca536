package io.sessionbroker.broker.session;

import java.time.Instant;
import java.util.List;

/**
 * A revocation event before it gets its stream id (event format v1, SPEC §3.3).
 *
 * @param type what was revoked
 * @param reason why
 * @param issuer issuer alias
 * @param clientId the client whose stream and channel receive it
 * @param sid the SSO session, for {@code session.revoked}
 * @param sub the user, when known
 * @param sessionIds the client's registered sessions affected (may be empty)
 * @param at when the revocation happened
 * @param notBefore for {@code client.revoked}: sessions issued before it are revoked
 */
public record RevocationEvent(
    EventType type,
    Reason reason,
    String issuer,
    String clientId,
    String sid,
    String sub,
    List<String> sessionIds,
    Instant at,
    Instant notBefore) {

  /** The event {@code type} values. */
  public enum EventType {
    SESSION_REVOKED("session.revoked"),
    USER_REVOKED("user.revoked"),
    CLIENT_REVOKED("client.revoked");

    private final String json;

    EventType(String json) {
      this.json = json;
    }

    /** The name in JSON. */
    public String json() {
      return json;
    }
  }

  /** The event {@code reason} values. */
  public enum Reason {
    BACKCHANNEL_LOGOUT("backchannel_logout"),
    ADMIN("admin"),
    KEYCLOAK_ADMIN("keycloak_admin"),
    EXPIRED("expired");

    private final String json;

    Reason(String json) {
      this.json = json;
    }

    /** The name in JSON. */
    public String json() {
      return json;
    }
  }
}
