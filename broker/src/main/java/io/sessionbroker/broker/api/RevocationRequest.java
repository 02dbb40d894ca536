package io.sessionbroker.broker.api;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /api/v1/revocations} (admin): exactly one of {@code sid}, {@code sub}, or
 * {@code clientId} with {@code sessionId}.
 *
 * @param issuer issuer alias; default: the caller's issuer
 * @param sid revoke this SSO session in every client
 * @param sub revoke every session of this user
 * @param clientId with sessionId: revoke one registered session
 * @param sessionId with clientId: revoke one registered session
 */
public record RevocationRequest(
    @Size(max = 32) String issuer,
    @Size(max = 256) @Pattern(regexp = RegisterSessionRequest.ID_PATTERN) String sid,
    @Size(max = 256) @Pattern(regexp = RegisterSessionRequest.ID_PATTERN) String sub,
    @Size(max = 256) @Pattern(regexp = RegisterSessionRequest.ID_PATTERN) String clientId,
    @Size(max = 256) @Pattern(regexp = RegisterSessionRequest.ID_PATTERN) String sessionId) {}
