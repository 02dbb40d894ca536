package io.sessionbroker.testsupport.keycloak;

/**
 * What a {@link BrowserlessLogin} sign-in returned.
 *
 * @param idToken the ID token (compact JWS)
 * @param accessToken the access token
 * @param refreshToken the refresh token
 * @param sid the ID token's {@code sid}: Keycloak's SSO session id, the same for every client the
 *     user signs into from one browser, and the {@code sid} of the logout tokens that end it
 * @param subject the ID token's {@code sub}: the user's id
 * @param passwordPrompted whether Keycloak showed the password form; {@code false} means an
 *     existing SSO session (cookie) was reused
 */
public record OidcTokens(
    String idToken,
    String accessToken,
    String refreshToken,
    String sid,
    String subject,
    boolean passwordPrompted) {

  /** The ID token's header and claims, decoded without verification. */
  public UnverifiedJwt idTokenClaims() {
    return UnverifiedJwt.parse(idToken);
  }

  /** Leaves the tokens out, so a failed assertion never prints a usable credential. */
  @Override
  public String toString() {
    return "OidcTokens{sid="
        + sid
        + ", subject="
        + subject
        + ", passwordPrompted="
        + passwordPrompted
        + ", tokens=<redacted>}";
  }
}
