package io.sessionbroker.examples.servlet.oidc;

import java.time.Instant;
import java.util.Objects;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.VerificationKeyResolver;

/**
 * Verifies an ID token received from the token endpoint (OpenID Connect Core 1.0 §3.1.3.7): the
 * signature against the provider's keys (asymmetric algorithms only), {@code iss}, {@code aud}
 * (contains this client), {@code azp} (this client when present), {@code exp}, {@code iat}, {@code
 * sub}, and the {@code nonce} of this sign-in.
 */
public final class IdTokenVerifier {

  private static final int CLOCK_SKEW_SECONDS = 30;

  private final String clientId;
  private final JwtConsumer consumer;

  /**
   * A verifier for tokens of {@code issuer} issued to {@code clientId}.
   *
   * @param keys resolves the signing key by {@code kid}, e.g. from the provider's JWKS
   */
  public IdTokenVerifier(String issuer, String clientId, VerificationKeyResolver keys) {
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.consumer =
        new JwtConsumerBuilder()
            .setExpectedIssuer(Objects.requireNonNull(issuer, "issuer"))
            .setExpectedAudience(clientId)
            .setRequireExpirationTime()
            .setRequireIssuedAt()
            .setRequireSubject()
            .setAllowedClockSkewInSeconds(CLOCK_SKEW_SECONDS)
            .setVerificationKeyResolver(keys)
            .setJwsAlgorithmConstraints(
                AlgorithmConstraints.ConstraintType.PERMIT,
                AlgorithmIdentifiers.RSA_USING_SHA256,
                AlgorithmIdentifiers.RSA_USING_SHA384,
                AlgorithmIdentifiers.RSA_USING_SHA512,
                AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
                AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
                AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384)
            .build();
  }

  /**
   * Verifies the token and returns its claims.
   *
   * @throws SignInException naming the failed check (never the token)
   */
  public VerifiedIdToken verify(String idToken, String expectedNonce) {
    JwtClaims claims;
    try {
      claims = consumer.processToClaims(idToken);
    } catch (InvalidJwtException e) {
      throw new SignInException("ID token rejected: " + reasonOf(e));
    }
    try {
      if (!Objects.equals(expectedNonce, claims.getStringClaimValue("nonce"))) {
        throw new SignInException("ID token rejected: nonce does not match this sign-in");
      }
      String azp = claims.getStringClaimValue("azp");
      if (azp != null && !azp.equals(clientId)) {
        throw new SignInException("ID token rejected: azp names another client");
      }
      NumericDate authTime = claims.getNumericDateClaimValue("auth_time");
      return new VerifiedIdToken(
          idToken,
          claims.getSubject(),
          claims.getStringClaimValue("sid"),
          claims.getStringClaimValue("preferred_username"),
          claims.getStringClaimValue("name"),
          authTime == null ? null : Instant.ofEpochSecond(authTime.getValue()));
    } catch (MalformedClaimException e) {
      throw new SignInException("ID token rejected: a claim has the wrong type");
    }
  }

  /** jose4j's first error, which names the failed rule but not the token. */
  private static String reasonOf(InvalidJwtException e) {
    return e.getErrorDetails().isEmpty()
        ? "invalid JWT"
        : e.getErrorDetails().get(0).getErrorMessage();
  }
}
