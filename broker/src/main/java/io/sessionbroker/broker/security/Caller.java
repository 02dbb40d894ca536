package io.sessionbroker.broker.security;

import io.sessionbroker.broker.token.Issuer;

/**
 * Who calls the REST API: the Keycloak client of the bearer token ({@code azp}).
 *
 * @param issuer the issuer of the token
 * @param clientId the calling client
 * @param admin whether the token carries the admin realm role
 */
public record Caller(Issuer issuer, String clientId, boolean admin) {}
