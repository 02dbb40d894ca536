package io.sessionbroker.broker.logout;

import java.time.Instant;

/**
 * A verified legacy Keycloak admin action ({@code k_logout} or {@code k_push_not_before}).
 *
 * @param issuer alias of the realm that signed it
 * @param action {@code LOGOUT} or {@code PUSH_NOT_BEFORE}
 * @param clientId the client it is for (its {@code resource})
 * @param notBefore sessions issued before this are revoked
 * @param actionId Keycloak's id of the action, which makes a resent action recognisable
 */
public record KeycloakAdminAction(
    String issuer, String action, String clientId, Instant notBefore, String actionId) {}
