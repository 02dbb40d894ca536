package io.sessionbroker.broker.api;

import io.sessionbroker.broker.session.IdRule;
import io.sessionbroker.broker.session.SubjectRule;
import jakarta.validation.constraints.Pattern;

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
    @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String issuer,
    @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String sid,
    @Pattern(regexp = SubjectRule.PATTERN, message = SubjectRule.DESCRIPTION) String sub,
    @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String clientId,
    @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String sessionId) {}
