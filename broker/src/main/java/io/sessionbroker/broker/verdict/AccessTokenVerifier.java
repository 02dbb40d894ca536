package io.sessionbroker.broker.verdict;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.IdRule;
import io.sessionbroker.broker.session.SubjectRule;
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
    String clientId = idClaim(claims, "azp");
    if (clientId == null) {
      clientId = idClaim(claims, "client_id");
    }
    if (clientId == null) {
      throw new TokenRejectedException("azp: the token names no client");
    }
    if (!jwt.issuer().allowsClient(clientId)) {
      throw new TokenRejectedException("azp: the client is not in the issuer's allow-list");
    }
    return new AccessToken(
        jwt.issuer(), clientId, idClaim(claims, "sid"), subClaim(claims), iat, exp);
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

  /**
   * A claim ({@code sid}, {@code azp}, {@code client_id}) the verdict copies into a response header
   * and matches against revocations: null when absent, else exactly as given and it must pass the
   * broker's {@link IdRule} (printable ASCII, no spaces), so no line break, NUL or other non-header
   * character ever reaches a header, and an id no revocation could name is never allowed.
   *
   * @throws TokenRejectedException when the claim is not a string or breaks the rule
   */
  private static String idClaim(JwtClaims claims, String name) {
    Object value = claims.getClaimValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || !IdRule.isValid(text)) {
      throw new TokenRejectedException(name + ": must be a string that " + IdRule.DESCRIPTION);
    }
    return text;
  }

  /**
   * The {@code sub}: null when absent, else exactly as given and it must pass {@link SubjectRule}
   * (a user-storage user's id may hold spaces and any letter, so white space is part of the id and
   * a white-space-only sub is a user like any other; control characters never pass). {@link
   * VerdictRoute} percent-encodes it for its headers.
   *
   * @throws TokenRejectedException when the claim is not a string or breaks the rule
   */
  private static String subClaim(JwtClaims claims) {
    Object value = claims.getClaimValue("sub");
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || !SubjectRule.isValid(text)) {
      throw new TokenRejectedException("sub: must be a string that " + SubjectRule.DESCRIPTION);
    }
    return text;
  }
}
