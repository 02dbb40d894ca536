/**
 * A real Keycloak for end-to-end tests: {@link
 * io.sessionbroker.testsupport.keycloak.KeycloakServer} runs {@code kc.sh start-dev} from the
 * pinned Maven Central zip ({@link io.sessionbroker.testsupport.keycloak.KeycloakDistribution}),
 * imports a {@link io.sessionbroker.testsupport.keycloak.KeycloakRealm} and offers admin REST
 * helpers; {@link io.sessionbroker.testsupport.keycloak.BrowserlessLogin} signs users in and out
 * without a browser.
 *
 * <h2>What Keycloak 26.5.6 sends a Session Broker (observed by {@code KeycloakHarnessTest})</h2>
 *
 * <ul>
 *   <li><b>RP-initiated logout</b> (end-session endpoint with {@code id_token_hint}) and <b>admin
 *       "delete session"</b> ({@code DELETE /admin/realms/{r}/sessions/{sid}}): one POST per client
 *       of the SSO session, the initiating client included, to its back-channel logout URL, made
 *       one after the other <em>before</em> Keycloak answers the logout request. Body {@code
 *       application/x-www-form-urlencoded}, field {@code logout_token}. Token header {@code
 *       {"alg":"RS256","typ":"logout+jwt","kid":...}}; claims {@code iss}, {@code aud} (the client
 *       id, a single string), {@code sub}, {@code sid}, {@code typ:"Logout"}, {@code events:
 *       {"http://schemas.openid.net/event/backchannel-logout":{}}}, {@code iat}, {@code exp} = iat
 *       + 120 s, {@code jti}; no {@code nonce}, no {@code azp}. Keycloak does not retry.
 *   <li><b>Admin "sign out user"</b> ({@code POST /admin/realms/{r}/users/{id}/logout}): each
 *       client gets at most one logout token per request, for the first of the user's sessions
 *       Keycloak processes; the user's other sessions end silently. See {@link
 *       io.sessionbroker.testsupport.keycloak.KeycloakServer#logoutUser}.
 *   <li><b>Realm "logout all"</b> ({@code POST /admin/realms/{r}/logout-all}): no logout token;
 *       instead a {@code k_logout} POST to {@code <Admin URL>/k_logout} of every client with an
 *       Admin URL, sessions or not. <b>"Push" not-before</b> ({@code POST .../push-revocation}):
 *       {@code k_push_not_before} to {@code <Admin URL>/k_push_not_before}. Both bodies are a
 *       compact JWS sent as {@code text/plain; charset=ISO-8859-1}, header {@code
 *       {"alg":"RS256","typ":"JWT","kid":...}} (the realm key of the logout tokens), payload {@code
 *       {"id","expiration" (+30 s),"resource":"<clientId>","action":"LOGOUT"|"PUSH_NOT_BEFORE",
 *       "notBefore"}}, no {@code iss}/{@code aud}/session ids.
 *   <li>ID tokens and access tokens both carry {@code sid}; one browser's sign-ins into several
 *       clients share it. Cookies come {@code Secure; SameSite=None; Version=1} even over HTTP.
 * </ul>
 */
package io.sessionbroker.testsupport.keycloak;
