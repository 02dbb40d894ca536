package io.sessionbroker.broker.session;

import java.time.Instant;

/**
 * One registered app session, as stored and as returned by the REST API.
 *
 * @param issuer alias of the issuer (Keycloak realm)
 * @param clientId the app's Keycloak client
 * @param sessionId the app's own session id
 * @param sid Keycloak's SSO session id
 * @param sub the user, when known
 * @param createdAt when the registration was first made
 * @param expiresAt when the registration ends
 * @param status active or revoked
 * @param revokedAt when it was revoked, or null
 */
public record SessionRecord(
    String issuer,
    String clientId,
    String sessionId,
    String sid,
    String sub,
    Instant createdAt,
    Instant expiresAt,
    SessionStatus status,
    Instant revokedAt) {}
