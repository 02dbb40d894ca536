package io.sessionbroker.broker.logout;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.IdRule;
import io.sessionbroker.broker.session.SubjectRule;
import io.sessionbroker.broker.token.TimeClaims;
import io.sessionbroker.broker.token.TokenRejectedException;
import io.sessionbroker.broker.token.VerifiedJwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;

/**
 * The claim rules of OIDC Back-Channel Logout 1.0 §2.6 for a token whose signature, {@code alg} and
 * {@code iss} were already checked by {@link io.sessionbroker.broker.token.SignedJwtVerifier}.
 *
 * <p>Every rule is checked and every failure reported, each naming the spec step, so an operator
 * sees all that is wrong with Keycloak's tokens at once.
 */
@ApplicationScoped
public class LogoutTokenValidator {

  /** The {@code events} member that marks a logout token. */
  public static final String BACKCHANNEL_LOGOUT_EVENT =
      "http://schemas.openid.net/event/backchannel-logout";

  private static final String SPEC = "OIDC Back-Channel Logout 1.0 ";
  private static final Set<String> ACCEPTED_HEADER_TYPES =
      Set.of("logout+jwt", "application/logout+jwt", "jwt");
  private static final Set<String> OTHER_TOKEN_TYPES = Set.of("id", "bearer", "refresh");

  private final Clock clock;
  private final Duration clockSkew;
  private final Duration maxTokenAge;

  @Inject
  LogoutTokenValidator(SessionBrokerConfig config) {
    this(Clock.systemUTC(), config.logout().clockSkew(), config.logout().maxTokenAge());
  }

  LogoutTokenValidator(Clock clock, Duration clockSkew, Duration maxTokenAge) {
    this.clock = clock;
    this.clockSkew = clockSkew;
    this.maxTokenAge = maxTokenAge;
  }

  /**
   * Judges the claims.
   *
   * @throws TokenRejectedException listing every failed rule
   */
  public LogoutToken validate(VerifiedJwt jwt) {
    List<String> violations = new ArrayList<>();
    JwtClaims claims = jwt.claims();
    checkHeaderType(jwt.headerType(), violations);
    checkTypClaim(claims, violations);
    List<String> audiences = checkAudience(jwt, violations);
    Instant issuedAt = checkTimes(claims, violations);
    String jti = checkJti(claims, violations);
    String sid = optionalId(claims, "sid", violations);
    String sub = optionalSubject(claims, violations);
    if (sid == null && sub == null && !hasClaim(claims, "sid") && !hasClaim(claims, "sub")) {
      violations.add("sub/sid: the token must contain sub, sid or both [" + SPEC + "§2.4]");
    }
    checkEvents(claims, violations);
    if (hasClaim(claims, "nonce")) {
      violations.add("nonce: must not be present in a logout token [" + SPEC + "§2.6 step 6]");
    }
    if (!violations.isEmpty()) {
      throw new TokenRejectedException(violations);
    }
    return new LogoutToken(jwt.issuer(), audiences, sid, sub, jti, issuedAt);
  }

  private static void checkHeaderType(String typ, List<String> violations) {
    if (typ != null && !ACCEPTED_HEADER_TYPES.contains(typ.toLowerCase(Locale.ROOT))) {
      violations.add(
          "typ header: must be logout+jwt or JWT when present, so other token types cannot be"
              + " replayed as logout tokens ["
              + SPEC
              + "§2.4]");
    }
  }

  private static void checkTypClaim(JwtClaims claims, List<String> violations) {
    Object typ = claims.getClaimValue("typ");
    if (typ instanceof String value && OTHER_TOKEN_TYPES.contains(value.toLowerCase(Locale.ROOT))) {
      violations.add(
          "typ claim: an ID, access or refresh token is not a logout token ["
              + SPEC
              + "§2.6 step 2]");
    }
  }

  private static List<String> checkAudience(VerifiedJwt jwt, List<String> violations) {
    List<String> audiences;
    try {
      audiences = jwt.claims().getAudience();
    } catch (MalformedClaimException e) {
      violations.add("aud: must be a string or an array of strings [" + SPEC + "§2.6 step 4]");
      return List.of();
    }
    if (audiences == null || audiences.isEmpty()) {
      violations.add("aud: missing; it must name the client [" + SPEC + "§2.6 step 4]");
      return List.of();
    }
    List<String> allowed = audiences.stream().filter(jwt.issuer()::allowsClient).toList();
    if (allowed.isEmpty()) {
      violations.add(
          "aud: no audience is in the client allow-list session-broker.issuers."
              + jwt.issuer().alias()
              + ".clients ["
              + SPEC
              + "§2.6 step 4]");
    }
    for (String audience : allowed) {
      if (!isCleanId(audience)) {
        violations.add("aud: a client id is empty, too long or has control characters");
      }
    }
    return allowed;
  }

  /**
   * Checks {@code iat} and {@code exp}, read and compared by {@link TimeClaims}; returns {@code
   * iat} in whole seconds, or null.
   */
  private Instant checkTimes(JwtClaims claims, List<String> violations) {
    Instant now = clock.instant();
    Long iat = seconds(claims, "iat", violations);
    Long exp = seconds(claims, "exp", violations);
    if (iat == null && !violations.stream().anyMatch(v -> v.startsWith("iat"))) {
      violations.add("iat: missing [" + SPEC + "§2.6 step 5]");
    }
    if (exp == null && !violations.stream().anyMatch(v -> v.startsWith("exp"))) {
      violations.add("exp: missing [" + SPEC + "§2.6 step 5]");
    }
    if (iat != null) {
      if (TimeClaims.isAfter(iat, now, clockSkew)) {
        violations.add(
            "iat: in the future beyond the allowed clock skew [" + SPEC + "§2.6 step 5]");
      }
      if (TimeClaims.isBefore(iat, now, maxTokenAge, clockSkew)) {
        violations.add(
            "iat: older than session-broker.logout.max-token-age ("
                + maxTokenAge
                + ") ["
                + SPEC
                + "§2.6 step 5]");
      }
    }
    if (exp != null && TimeClaims.isBefore(exp, now, Duration.ZERO, clockSkew)) {
      violations.add("exp: the token has expired [" + SPEC + "§2.6 step 5]");
    }
    return iat == null ? null : Instant.ofEpochSecond(iat);
  }

  private static Long seconds(JwtClaims claims, String name, List<String> violations) {
    try {
      return TimeClaims.seconds(claims, name);
    } catch (TokenRejectedException e) {
      violations.add(e.getMessage() + " [" + SPEC + "§2.6 step 5]");
      return null;
    }
  }

  private static String checkJti(JwtClaims claims, List<String> violations) {
    Object jti = claims.getClaimValue("jti");
    if (jti == null) {
      violations.add("jti: missing [" + SPEC + "§2.4]");
      return null;
    }
    if (!(jti instanceof String value) || !isCleanId(value)) {
      violations.add(
          "jti: must be a non-empty string without control characters [" + SPEC + "§2.4]");
      return null;
    }
    return value;
  }

  private static String optionalId(JwtClaims claims, String name, List<String> violations) {
    Object value = claims.getClaimValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || !isCleanId(text)) {
      violations.add(
          name + ": must be a non-empty string without control characters [" + SPEC + "§2.4]");
      return null;
    }
    return text;
  }

  /** The {@code sub}, on the user id rule: a user-storage user's id may hold any letter. */
  private static String optionalSubject(JwtClaims claims, List<String> violations) {
    Object value = claims.getClaimValue("sub");
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || !SubjectRule.isValid(text)) {
      violations.add("sub: a string that " + SubjectRule.DESCRIPTION + " [" + SPEC + "§2.4]");
      return null;
    }
    return text;
  }

  private static void checkEvents(JwtClaims claims, List<String> violations) {
    Object events = claims.getClaimValue("events");
    if (!(events instanceof Map<?, ?> members)) {
      violations.add("events: missing or not a JSON object [" + SPEC + "§2.6 step 7]");
      return;
    }
    if (!members.containsKey(BACKCHANNEL_LOGOUT_EVENT)) {
      violations.add(
          "events: has no member " + BACKCHANNEL_LOGOUT_EVENT + " [" + SPEC + "§2.6 step 7]");
    } else if (!(members.get(BACKCHANNEL_LOGOUT_EVENT) instanceof Map<?, ?>)) {
      violations.add(
          "events: the value of "
              + BACKCHANNEL_LOGOUT_EVENT
              + " must be a JSON object ["
              + SPEC
              + "§2.6 step 7]");
    }
  }

  private static boolean hasClaim(JwtClaims claims, String name) {
    return claims.hasClaim(name);
  }

  /** Ids end up in Redis keys and fields: the broker's one id rule. */
  static boolean isCleanId(String id) {
    return IdRule.isValid(id);
  }
}
