package io.sessionbroker.client.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the {@link BearerTokenRevocationFilter} finds the claims of the request's access token
 * <em>after the application verified it</em>. It never reads the {@code Authorization} header
 * itself: claims from an unverified token could be forged to name any session.
 *
 * <p>Called on request threads, concurrently.
 */
@FunctionalInterface
public interface VerifiedClaimsSource {

  /**
   * The verified claims of this request's bearer token, or empty when the application's security
   * layer has not verified one (not yet run, or the token was invalid).
   */
  Optional<VerifiedTokenClaims> claimsOf(HttpServletRequest request);

  /**
   * Claims that the application's verifier put into a request attribute, either as {@link
   * VerifiedTokenClaims} or as the verified token's claim map ({@code Map<String, ?>}). Request
   * attributes are set by server code only, never by the caller. The verifier must run before the
   * filter.
   */
  static VerifiedClaimsSource requestAttribute(String name) {
    Objects.requireNonNull(name, "name");
    return request -> {
      Object value = request.getAttribute(name);
      if (value instanceof VerifiedTokenClaims claims) {
        return Optional.of(claims);
      }
      if (value instanceof Map<?, ?> map) {
        @SuppressWarnings("unchecked")
        Map<String, ?> claims = (Map<String, ?>) map;
        return Optional.of(VerifiedTokenClaims.fromClaims(claims));
      }
      return Optional.empty();
    };
  }
}
