package io.sessionbroker.examples.servlet.oidc;

import java.time.Instant;

/**
 * The claims of a verified ID token that the app uses.
 *
 * @param compact the token itself (for {@code id_token_hint} and the broker registration)
 * @param subject {@code sub}: the user's id
 * @param sid {@code sid}: Keycloak's SSO session id, or {@code null}
 * @param username {@code preferred_username}, or {@code null}
 * @param name {@code name}, or {@code null}
 * @param authTime {@code auth_time}: when the user last authenticated, or {@code null}
 */
public record VerifiedIdToken(
    String compact, String subject, String sid, String username, String name, Instant authTime) {

  /** Leaves the token out. */
  @Override
  public String toString() {
    return "VerifiedIdToken{subject=" + subject + ", sid=" + sid + ", username=" + username + "}";
  }
}
