package io.sessionbroker.broker.verdict;

import io.sessionbroker.broker.token.Issuer;

/**
 * What a verdict needs from a verified access token.
 *
 * @param issuer the configured issuer that signed it
 * @param clientId the client it was issued to ({@code azp}, else {@code client_id})
 * @param sid Keycloak's SSO session id, or null (service-account tokens have none)
 * @param sub the subject, or null
 * @param issuedAt its {@code iat}, epoch seconds
 * @param expiresAt its {@code exp}, epoch seconds
 */
public record AccessToken(
    Issuer issuer, String clientId, String sid, String sub, long issuedAt, long expiresAt) {}
