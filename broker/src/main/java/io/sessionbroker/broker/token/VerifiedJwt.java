package io.sessionbroker.broker.token;

import org.jose4j.jwt.JwtClaims;

/**
 * A JWT whose signature was verified with its issuer's keys; its claims are not judged yet.
 *
 * @param issuer the configured issuer that signed it
 * @param headerType the JOSE header {@code typ}, or null
 * @param algorithm the JOSE header {@code alg}
 * @param claims the payload
 */
public record VerifiedJwt(Issuer issuer, String headerType, String algorithm, JwtClaims claims) {}
