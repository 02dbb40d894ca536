package io.sessionbroker.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

/**
 * A session registration as the broker stores it (SPEC §3.2).
 *
 * @param issuer the issuer alias
 * @param clientId the Keycloak client the session belongs to
 * @param sessionId the application's local session id
 * @param sid the Keycloak SSO session id
 * @param sub the user, when known
 * @param createdAt when the registration was stored
 * @param expiresAt when the registration expires
 * @param status {@code active} or {@code revoked}
 * @param revokedAt when it was revoked, {@code null} while active
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SessionRecord(
    String issuer,
    String clientId,
    String sessionId,
    String sid,
    String sub,
    Instant createdAt,
    Instant expiresAt,
    String status,
    Instant revokedAt) {

  /** Whether the broker reports the session as active. */
  public boolean isActive() {
    return "active".equals(status);
  }
}
