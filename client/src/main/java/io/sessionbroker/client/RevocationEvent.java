package io.sessionbroker.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One revocation, as published by the broker (event format version 1).
 *
 * @param id the Redis stream id ({@code <ms>-<seq>}); strictly increasing per client stream
 * @param type what is revoked
 * @param reason why
 * @param issuer the issuer alias, e.g. {@code acme}
 * @param clientId the Keycloak client the event is for
 * @param sid the SSO session id; {@code null} for user and client revocations
 * @param sub the user; {@code null} when not known (e.g. client revocations)
 * @param sessionIds the client's registered session ids that are affected; never {@code null}, may
 *     be empty
 * @param at when the broker recorded the revocation; for {@link EventType#USER_REVOKED} every
 *     session of {@code sub} created before it is revoked
 * @param notBefore only for {@link EventType#CLIENT_REVOKED}: every session of the client created
 *     before it is revoked; {@code null} otherwise
 */
public record RevocationEvent(
    String id,
    EventType type,
    Reason reason,
    String issuer,
    String clientId,
    String sid,
    String sub,
    List<String> sessionIds,
    Instant at,
    Instant notBefore) {

  /** Copies {@code sessionIds} and checks the required fields. */
  public RevocationEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(reason, "reason");
    sessionIds = sessionIds == null ? List.of() : List.copyOf(sessionIds);
  }
}
