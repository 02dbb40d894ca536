package io.sessionbroker.broker.session;

import java.time.Instant;

/**
 * A verified request to register an app session.
 *
 * @param issuer issuer alias
 * @param clientId the registering app's client
 * @param sessionId the app's session id
 * @param sid Keycloak's SSO session id
 * @param sub the user, or null when the app did not say
 * @param issuedAt the session's start (SPEC §3.2): the ID token's {@code iat}, or the explicit
 *     form's {@code issuedAt}; null when the app did not say, and then a revocation of the user or
 *     client counts from the time of receipt, while any logout of the sid refuses (the broker
 *     cannot tell that the session started after it, and a registration racing a logout must never
 *     stay live)
 * @param expiresAt when the registration ends
 * @param subVerified whether {@code sub} comes from a verified ID token (it then is the SSO
 *     session's user for every client); false when the app named it itself (explicit form: it stays
 *     the app's own claim, and is refused when it contradicts a verified one)
 * @throws InvalidIdException when an id breaks {@link IdRule}, whichever way it came in (request
 *     body, ID token claim, bearer token)
 */
public record NewRegistration(
    String issuer,
    String clientId,
    String sessionId,
    String sid,
    String sub,
    Instant issuedAt,
    Instant expiresAt,
    boolean subVerified) {

  public NewRegistration {
    IdRule.require("issuer", issuer);
    IdRule.require("clientId", clientId);
    IdRule.require("sessionId", sessionId);
    IdRule.require("sid", sid);
    SubjectRule.requireOptional("sub", sub);
  }
}
