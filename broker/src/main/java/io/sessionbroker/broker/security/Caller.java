package io.sessionbroker.broker.security;

import io.quarkus.security.ForbiddenException;
import io.sessionbroker.broker.token.Issuer;

/**
 * Who calls the REST API, and what that caller may do (SPEC §3.2, Authorisation).
 *
 * <p>Two kinds of callers, which one token may both be:
 *
 * <ul>
 *   <li>An <em>app</em>: the service account of a Keycloak client ({@code azp}), calling with its
 *       own client-credentials token. It reads, registers and deletes only its own client's
 *       sessions and events, in its own issuer.
 *   <li>An <em>admin</em>: any access token (a service account's or a signed-in operator's) with
 *       the realm role {@code session-broker.api.admin-role}. It queries and revokes every client's
 *       sessions, but only of its own issuer: realms are separate tenants.
 * </ul>
 *
 * <p>An end user's access token issued to an app is neither: it would let any user of the app read
 * or delete every user's sessions. {@link CallerResolver} decides which kinds a token is.
 *
 * @param issuer the issuer of the token
 * @param clientId the client of the token ({@code azp})
 * @param app whether the token is the client's own service-account token
 * @param admin whether the token carries the admin realm role
 */
public record Caller(Issuer issuer, String clientId, boolean app, boolean admin) {

  /**
   * The client whose own sessions and events this caller may use.
   *
   * @throws ForbiddenException when the token is not the client's service-account token
   */
  public String appClientId() {
    if (!app) {
      throw new ForbiddenException(
          "only an app's own service account may call this (a client-credentials token of client "
              + clientId
              + "); an end user's access token is not an app caller");
    }
    return clientId;
  }

  /**
   * Admin access to one issuer.
   *
   * @param requestedIssuer the issuer alias the request names, or null for the caller's own
   * @return the issuer alias to act on: always the caller's own
   * @throws ForbiddenException without the admin role, or for another issuer
   */
  public String adminIssuer(String requestedIssuer) {
    if (!admin) {
      throw new ForbiddenException("this needs the admin realm role");
    }
    return ownIssuer(requestedIssuer);
  }

  /**
   * The caller's own issuer alias.
   *
   * @param requestedIssuer the issuer alias the request names, or null
   * @throws ForbiddenException when the request names another issuer
   */
  public String ownIssuer(String requestedIssuer) {
    if (requestedIssuer != null && !requestedIssuer.equals(issuer.alias())) {
      throw new ForbiddenException(
          "a caller of issuer " + issuer.alias() + " may only act on that issuer's sessions");
    }
    return issuer.alias();
  }

  /** The binding of paging cursors to this caller: a cursor works only for who got it. */
  public String cursorBinding() {
    return issuer.alias() + "/" + clientId + "/" + (app ? "app" : "-") + (admin ? "+admin" : "");
  }
}
