package io.sessionbroker.broker.logout;

import java.time.Instant;
import java.util.List;

/**
 * A verified legacy Keycloak admin action ({@code k_logout} or {@code k_push_not_before}).
 *
 * @param issuer alias of the realm that signed it
 * @param action {@code LOGOUT} or {@code PUSH_NOT_BEFORE}
 * @param clientId the client it is for (its {@code resource})
 * @param notBefore sessions that started at or before this are revoked; epoch 0: no cut
 * @param actionId Keycloak's id of the action, which makes a resent action recognisable; null when
 *     absent
 * @param keycloakSessionIds the SSO sessions ({@code sid}s) a per-session logout names
 * @param adapterSessionIds the client's own session ids a per-session logout names
 */
public record KeycloakAdminAction(
    String issuer,
    String action,
    String clientId,
    Instant notBefore,
    String actionId,
    List<String> keycloakSessionIds,
    List<String> adapterSessionIds) {}
