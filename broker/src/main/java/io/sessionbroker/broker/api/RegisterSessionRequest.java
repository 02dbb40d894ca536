package io.sessionbroker.broker.api;

import io.sessionbroker.broker.session.IdRule;
import io.sessionbroker.broker.session.SubjectRule;
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
 * @param issuedAt with {@code sid}: when the session started (ISO-8601, e.g. the ID token's {@code
 *     iat}); a revocation at or after it refuses the registration (SPEC §3.2). Without it, the time
 *     of receipt counts for user and client revocations, and any logout of the sid refuses
 */
public record RegisterSessionRequest(
    @NotBlank @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String sessionId,
    @Size(max = 16384) String idToken,
    @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String sid,
    @Pattern(regexp = SubjectRule.PATTERN, message = SubjectRule.DESCRIPTION) String sub,
    Instant expiresAt,
    Instant issuedAt) {}
