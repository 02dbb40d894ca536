package io.sessionbroker.examples.servlet.web;

import java.io.Serializable;
import java.time.Instant;

/**
 * Who is signed in to an {@code HttpSession}: kept as session attribute {@link #ATTRIBUTE}.
 *
 * @param username {@code preferred_username}
 * @param displayName {@code name}, or the username
 * @param subject {@code sub}
 * @param sid Keycloak's SSO session id
 * @param idToken the ID token, kept for the logout's {@code id_token_hint}
 * @param signedInAt when the user signed in to this app
 */
public record SignedInUser(
    String username,
    String displayName,
    String subject,
    String sid,
    String idToken,
    Instant signedInAt)
    implements Serializable {

  /** The session attribute that holds the signed-in user. */
  public static final String ATTRIBUTE = "app1.user";

  private static final long serialVersionUID = 1L;

  /** Leaves the ID token out. */
  @Override
  public String toString() {
    return "SignedInUser{username=" + username + ", sid=" + sid + "}";
  }
}
