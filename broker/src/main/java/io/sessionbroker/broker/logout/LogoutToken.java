package io.sessionbroker.broker.logout;

import io.sessionbroker.broker.token.Issuer;
import java.time.Instant;
import java.util.List;

/**
 * A logout token that passed every rule of OIDC Back-Channel Logout 1.0 §2.6.
 *
 * @param issuer the issuer that signed it
 * @param audiences the clients it is for (its {@code aud}, within the allow-list)
 * @param sid the SSO session, or null
 * @param sub the user, or null
 * @param jti its unique id (replay guard)
 * @param issuedAt its {@code iat}: the revocation time of SPEC §3.2
 */
public record LogoutToken(
    Issuer issuer, List<String> audiences, String sid, String sub, String jti, Instant issuedAt) {}
