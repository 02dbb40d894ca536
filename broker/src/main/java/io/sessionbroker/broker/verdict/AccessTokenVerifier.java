package io.sessionbroker.broker.verdict;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.token.SignedJwtVerifier;
import io.sessionbroker.broker.token.TimeClaims;
import io.sessionbroker.broker.token.TokenRejectedException;
import io.sessionbroker.broker.token.VerifiedJwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;

/**
 * Verifies a bearer access token for a verdict: signature by its issuer's keys (through {@link
 * SignedJwtVerifier}, so the same algorithm allow-list and key rotation apply), {@code iss} exactly
 * a configured issuer URL, {@code exp} and {@code iat} present, and an access token only:
 * Keycloak's claim {@code typ} is {@code Bearer} (or, for other issuers, the header {@code typ} is
 * {@code at+jwt}, RFC 9068); ID, refresh and logout tokens are refused. Whether it is expired or
 * revoked is judged per request by {@link VerdictService}, since both change while a token is
 * cached.
 */
@ApplicationScoped
public class AccessTokenVerifier {

  private final SignedJwtVerifier verifier;
  private final long maxLifetimeSeconds;

  @Inject
  AccessTokenVerifier(SignedJwtVerifier verifier, SessionBrokerConfig config) {
    this(verifier, config.verdict().maxTokenLifetime());
  }

  AccessTokenVerifier(SignedJwtVerifier verifier, Duration maxTokenLifetime) {
    this.verifier = verifier;
    this.maxLifetimeSeconds = maxTokenLifetime.toSeconds();
  }

  /**
   * Verifies one token without holding the calling thread while a key refresh is awaited (SPEC §4):
   * completes at once, on the calling thread, when the token's key is cached, else on {@code
   * resumeOn} once the refresh is done; at most {@code session-broker.jwks.max-waiting-tokens}
   * tokens wait per issuer.
   *
   * @return the token; or failed with {@link TokenRejectedException} naming the failed rule (never
   *     the token), or {@link io.sessionbroker.broker.token.KeysUnavailableException} when the
   *     issuer's keys cannot be fetched or too many tokens wait (possibly wrapped in a {@link
   *     java.util.concurrent.CompletionException})
   */
  public CompletableFuture<AccessToken> verifyLater(String compact, Executor resumeOn) {
    return verifier.verifyLater(compact, resumeOn).thenApply(this::judge);
  }

  /** The claim rules of a token whose signature is verified. */
  private AccessToken judge(VerifiedJwt jwt) {
    JwtClaims claims = jwt.claims();
    try {
      if (!jwt.issuer().url().equals(claims.getIssuer())) {
        throw new TokenRejectedException(
            "iss: not exactly a configured issuer URL (no trailing slash or case differences)");
      }
    } catch (MalformedClaimException e) {
      throw new TokenRejectedException("iss: not a string");
    }
    requireAccessToken(jwt);
    Long exp = TimeClaims.seconds(claims, "exp");
    Long iat = TimeClaims.seconds(claims, "iat");
    if (exp == null || iat == null) {
      throw new TokenRejectedException("exp/iat: both are required");
    }
    if (exp - iat > maxLifetimeSeconds) {
      throw new TokenRejectedException(
          "lifetime: exp - iat is longer than session-broker.verdict.max-token-lifetime, so a"
              + " revocation of this token could have been forgotten");
    }
    String clientId = stringClaim(claims, "azp");
    if (clientId == null) {
      clientId = stringClaim(claims, "client_id");
    }
    if (clientId == null) {
      throw new TokenRejectedException("azp: the token names no client");
    }
    if (!jwt.issuer().allowsClient(clientId)) {
      throw new TokenRejectedException("azp: the client is not in the issuer's allow-list");
    }
    return new AccessToken(
        jwt.issuer(), clientId, stringClaim(claims, "sid"), stringClaim(claims, "sub"), iat, exp);
  }

  private static void requireAccessToken(VerifiedJwt jwt) {
    Object typ = jwt.claims().getClaimValue("typ");
    String headerType = jwt.headerType() == null ? "" : jwt.headerType().toLowerCase(Locale.ROOT);
    boolean keycloakAccessToken = "Bearer".equals(typ);
    boolean rfc9068AccessToken =
        typ == null && (headerType.equals("at+jwt") || headerType.equals("application/at+jwt"));
    if (!keycloakAccessToken && !rfc9068AccessToken) {
      throw new TokenRejectedException(
          "typ: not an access token (ID, refresh and logout tokens are refused)");
    }
  }

  private static String stringClaim(JwtClaims claims, String name) {
    Object value = claims.getClaimValue(name);
    return value instanceof String text && !text.isBlank() ? text : null;
  }
}
