package io.sessionbroker.broker.token;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.SubjectRule;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;

/**
 * Verifies the ID token an app presents when it registers a session (OIDC Core §3.1.3.7, as far as
 * a third party can: the broker does not know the nonce).
 */
@ApplicationScoped
public class IdTokenValidator {

  private static final String SPEC = "OIDC Core 1.0 §3.1.3.7";
  private static final Set<String> LOGOUT_HEADER_TYPES =
      Set.of("logout+jwt", "application/logout+jwt");

  private final SignedJwtVerifier verifier;
  private final Clock clock;
  private final Duration clockSkew;

  IdTokenValidator(SignedJwtVerifier verifier, SessionBrokerConfig config) {
    this.verifier = verifier;
    this.clock = Clock.systemUTC();
    this.clockSkew = config.logout().clockSkew();
  }

  /**
   * Verifies the token for the registering client, without holding the calling thread while a key
   * refresh is awaited (SPEC §4): completes at once, on the calling thread, when the token's key is
   * cached, else on {@code resumeOn} once the refresh is done.
   *
   * @param expectedIssuer the caller's issuer: an app registers sessions of its own realm only
   * @param clientId the caller's client, which must be in the token's {@code aud}
   * @return the ID token, or failed with {@link TokenRejectedException} listing every failed rule,
   *     or {@link KeysUnavailableException} (possibly wrapped in a {@link
   *     java.util.concurrent.CompletionException})
   */
  public CompletableFuture<IdToken> validateLater(
      String compact, Issuer expectedIssuer, String clientId, Executor resumeOn) {
    return verifier
        .verifyLater(compact, resumeOn)
        .thenApply(jwt -> judge(jwt, expectedIssuer, clientId));
  }

  /** The claims rules of a token whose signature is verified. */
  private IdToken judge(VerifiedJwt jwt, Issuer expectedIssuer, String clientId) {
    JwtClaims claims = jwt.claims();
    List<String> violations = new ArrayList<>();
    if (!jwt.issuer().alias().equals(expectedIssuer.alias())) {
      violations.add(
          "iss: the ID token is from another issuer than the caller's token [" + SPEC + " step 2]");
    }
    try {
      List<String> audience = claims.getAudience();
      if (audience == null || !audience.contains(clientId)) {
        violations.add(
            "aud: the ID token was not issued to the calling client [" + SPEC + " step 3]");
      }
    } catch (MalformedClaimException e) {
      violations.add("aud: not a string or array of strings [" + SPEC + " step 3]");
    }
    checkNotAnotherTokenType(jwt, violations);
    Instant issuedAt = null;
    try {
      Long exp = TimeClaims.seconds(claims, "exp");
      if (exp == null) {
        violations.add("exp: missing [" + SPEC + " step 9]");
      } else if (TimeClaims.isBefore(exp, clock.instant(), Duration.ZERO, clockSkew)) {
        violations.add(
            "exp: the ID token has expired; register right after sign-in [" + SPEC + " step 9]");
      }
    } catch (TokenRejectedException e) {
      violations.add(e.getMessage() + " [" + SPEC + " step 9]");
    }
    try {
      issuedAt = TimeClaims.instant(claims, "iat");
      if (issuedAt == null) {
        violations.add("iat: missing [" + SPEC + " step 10]");
      }
    } catch (TokenRejectedException e) {
      violations.add(e.getMessage() + " [" + SPEC + " step 10]");
    }
    Object sid = claims.getClaimValue("sid");
    Object sub = claims.getClaimValue("sub");
    if (!(sid instanceof String)) {
      violations.add(
          "sid: missing; enable the client's 'backchannel logout session required' so Keycloak adds it");
    }
    if (!(sub instanceof String)) {
      violations.add("sub: missing [" + SPEC + "]");
    } else if (!SubjectRule.isValid((String) sub)) {
      violations.add("sub: " + SubjectRule.DESCRIPTION);
    }
    if (!violations.isEmpty()) {
      throw new TokenRejectedException(violations);
    }
    return new IdToken(jwt.issuer(), (String) sid, (String) sub, issuedAt);
  }

  /**
   * Keycloak marks its tokens with a {@code typ} claim, but other OPs (and older Keycloaks' logout
   * tokens) may omit it: a logout token is also told by its {@code events} claim and its header
   * {@code typ} (OIDC Back-Channel Logout 1.0 §2.4), so it can never register as an ID token.
   */
  private static void checkNotAnotherTokenType(VerifiedJwt jwt, List<String> violations) {
    Object typ = jwt.claims().getClaimValue("typ");
    if (typ != null && !"id".equals(typ.toString().toLowerCase(Locale.ROOT))) {
      violations.add("typ claim: '" + safe(typ) + "' is not an ID token");
    }
    String headerType = jwt.headerType();
    if (headerType != null && LOGOUT_HEADER_TYPES.contains(headerType.toLowerCase(Locale.ROOT))) {
      violations.add("typ header: a logout token is not an ID token");
    }
    if (jwt.claims().hasClaim("events")) {
      violations.add("events: a token with an events claim (a logout token) is not an ID token");
    }
  }

  private static String safe(Object value) {
    String printable = value.toString().replaceAll("[^A-Za-z0-9+_.-]", "?");
    return printable.length() > 20 ? printable.substring(0, 20) + "..." : printable;
  }
}
