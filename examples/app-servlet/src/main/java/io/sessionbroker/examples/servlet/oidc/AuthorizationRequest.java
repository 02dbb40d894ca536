package io.sessionbroker.examples.servlet.oidc;

import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * One pending sign-in: the values that the callback must find again. Kept in the (not yet signed
 * in) {@code HttpSession} between the redirect to Keycloak and the callback.
 *
 * @param state binds the callback to this browser (CSRF protection of the redirect)
 * @param nonce binds the ID token to this sign-in (replay protection)
 * @param codeVerifier PKCE: proves at the token endpoint that the code was requested here
 * @param returnTo the path to show after sign-in
 */
public record AuthorizationRequest(String state, String nonce, String codeVerifier, String returnTo)
    implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new request with fresh random values. */
  public static AuthorizationRequest create(String returnTo) {
    return new AuthorizationRequest(random(), random(), random() + random(), returnTo);
  }

  /** The PKCE {@code code_challenge} ({@code S256}) of {@link #codeVerifier()}. */
  public String codeChallenge() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(codeVerifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The authorization endpoint URL the browser is sent to. */
  public URI url(URI authorizationEndpoint, String clientId, URI redirectUri) {
    return URI.create(
        authorizationEndpoint
            + "?"
            + Forms.encode(
                "response_type",
                "code",
                "client_id",
                clientId,
                "redirect_uri",
                redirectUri.toString(),
                "scope",
                "openid profile",
                "state",
                state,
                "nonce",
                nonce,
                "code_challenge",
                codeChallenge(),
                "code_challenge_method",
                "S256"));
  }

  private static String random() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
