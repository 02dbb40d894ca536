package io.sessionbroker.broker.token;

import java.time.Instant;

/**
 * What a registration takes from a verified ID token.
 *
 * @param issuer the issuer that signed it
 * @param sid Keycloak's SSO session id
 * @param sub the user
 * @param issuedAt its {@code iat}
 */
public record IdToken(Issuer issuer, String sid, String sub, Instant issuedAt) {}
