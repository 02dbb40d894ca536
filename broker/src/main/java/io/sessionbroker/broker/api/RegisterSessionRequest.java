package io.sessionbroker.broker.api;

import io.sessionbroker.broker.session.IdRule;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/**
 * Body of {@code POST /api/v1/sessions}: either {@code idToken} (the broker takes sid and sub from
 * it) or {@code sid} with optional {@code sub}.
 *
 * @param sessionId the app's own session id
 * @param idToken the ID token from the sign-in
 * @param sid Keycloak's SSO session id, when no ID token is given
 * @param sub the user, optional
 * @param expiresAt when the registration ends; default {@code session-broker.sessions.default-ttl}
 */
public record RegisterSessionRequest(
    @NotBlank @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String sessionId,
    @Size(max = 16384) String idToken,
    @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String sid,
    @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String sub,
    Instant expiresAt) {}
