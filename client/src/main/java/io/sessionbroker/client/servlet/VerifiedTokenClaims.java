package io.sessionbroker.client.servlet;

import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;

/**
 * The claims of an access token that the application's own OAuth resource-server layer has
 * <em>verified</em> (signature, issuer, expiry, audience), as the {@link
 * BearerTokenRevocationFilter} needs them.
 *
 * @param clientId the client the token was issued to: {@code azp} (Keycloak), else {@code
 *     client_id} (RFC 9068); {@code null} when absent
 * @param sid the SSO session id, {@code null} when absent (e.g. client-credentials tokens)
 * @param sub the user, {@code null} when absent; else exactly as the token holds it (white space is
 *     part of a user id: a user-storage user's id may be made of it)
 * @param issuedAt the token's {@code iat}, {@code null} when absent
 */
public record VerifiedTokenClaims(String clientId, String sid, String sub, Instant issuedAt) {

  /**
   * Reads the claims from a verified token's claim map ({@code iat} as seconds since the epoch, an
   * {@link Instant} or a {@link Date}), e.g. Spring Security's {@code Jwt#getClaims()} or
   * MicroProfile JWT's claims.
   */
  public static VerifiedTokenClaims fromClaims(Map<String, ?> claims) {
    Objects.requireNonNull(claims, "claims");
    String clientId = text(claims.get("azp"));
    if (clientId == null) {
      clientId = text(claims.get("client_id"));
    }
    return new VerifiedTokenClaims(
        clientId, text(claims.get("sid")), text(claims.get("sub")), instant(claims.get("iat")));
  }

  /** A string claim exactly as given; null when absent or not a string. Never trimmed. */
  private static String text(Object value) {
    return value instanceof String text ? text : null;
  }

  private static Instant instant(Object value) {
    if (value instanceof Number seconds) {
      return Instant.ofEpochSecond(seconds.longValue());
    }
    if (value instanceof Instant instant) {
      return instant;
    }
    if (value instanceof Date date) {
      return date.toInstant();
    }
    return null;
  }
}
