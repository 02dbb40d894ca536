package io.sessionbroker.examples.quarkus;

import java.time.Instant;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The facts of a signed-in OIDC session that single sign-out needs, from its ID token.
 *
 * @param sid Keycloak's SSO session id
 * @param subject the user
 * @param createdAt when the user authenticated ({@code auth_time}, else {@code iat}): a user- or
 *     client-wide revocation after this moment ends the session, one before it does not
 */
record SignedInSession(String sid, String subject, Instant createdAt) {

  static SignedInSession of(JsonWebToken idToken) {
    Number authTime = idToken.getClaim("auth_time");
    long seconds = authTime != null ? authTime.longValue() : idToken.getIssuedAtTime();
    return new SignedInSession(
        idToken.getClaim("sid"), idToken.getSubject(), Instant.ofEpochSecond(seconds));
  }

  /** The id this app registers the session under: one per SSO session, as the cookie is. */
  String registrationId() {
    return "app2-" + sid;
  }
}
