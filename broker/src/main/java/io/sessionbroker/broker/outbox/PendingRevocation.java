package io.sessionbroker.broker.outbox;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.sessionbroker.broker.session.EventLog.Append;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import java.time.Instant;
import java.util.List;

/**
 * An accepted revocation that must reach Redis: applied at once, or journaled and replayed.
 * Serialized as one JSON line of the journal, so its shape is a stable on-disk format.
 *
 * @param kind what to revoke
 * @param issuer issuer alias
 * @param sid for {@link Kind#SID}
 * @param sub for {@link Kind#USER}
 * @param audience the logout token's client, or null for admin revocations
 * @param clientId for {@link Kind#CLIENT}
 * @param notBefore the revocation time (SPEC §3.2): for {@link Kind#CLIENT} its cut-off; for {@link
 *     Kind#SID} and {@link Kind#USER} the logout token's {@code iat} (null: the time it is applied)
 * @param reason the event reason
 * @param revocationId identifies the revocation for event deduplication
 * @param jti the logout token id to mark processed afterwards, or null
 * @param events for {@link Kind#EVENTS}: the events owed, in order (absent in lines of older
 *     versions, which have no such kind)
 */
public record PendingRevocation(
    Kind kind,
    String issuer,
    String sid,
    String sub,
    String audience,
    String clientId,
    Instant notBefore,
    Reason reason,
    String revocationId,
    String jti,
    List<Append> events) {

  /** What a pending revocation revokes. */
  public enum Kind {
    /** One SSO session. */
    SID,
    /** Every session of a user. */
    USER,
    /** Every session of a client issued before a time. */
    CLIENT,
    /**
     * The events of a revocation whose registry changes are done (a partial failure, SPEC §5): only
     * the appends are left, each idempotent by its dedupe key.
     */
    EVENTS
  }

  /**
   * The {@code sid} beside which this revocation's {@link #jti} marker lives (see {@code
   * RedisKeys#processedJti}): the SSO session of a back-channel logout token that named one, else
   * null (a token that names only a user; a Keycloak admin action's id).
   */
  @JsonIgnore
  public String replayGuardSid() {
    return reason == Reason.BACKCHANNEL_LOGOUT && (kind == Kind.SID || kind == Kind.EVENTS)
        ? sid
        : null;
  }

  /** The same revocation marking another token id (or none) as processed. */
  public PendingRevocation withJti(String otherJti) {
    return new PendingRevocation(
        kind,
        issuer,
        sid,
        sub,
        audience,
        clientId,
        notBefore,
        reason,
        revocationId,
        otherJti,
        events);
  }

  /** Logout of an SSO session by a back-channel token ({@code sub} may be null). */
  public static PendingRevocation ofSid(
      String issuer, String sid, String sub, String audience, Reason reason, String jti) {
    return ofSid(issuer, sid, sub, audience, reason, jti, null);
  }

  /** {@link #ofSid(String, String, String, String, Reason, String)} with its revocation time. */
  public static PendingRevocation ofSid(
      String issuer,
      String sid,
      String sub,
      String audience,
      Reason reason,
      String jti,
      Instant revocationTime) {
    return new PendingRevocation(
        Kind.SID, issuer, sid, sub, audience, null, revocationTime, reason, jti, jti, null);
  }

  /** Logout of a user by a back-channel token without sid. */
  public static PendingRevocation ofUser(
      String issuer, String sub, String audience, Reason reason, String jti) {
    return ofUser(issuer, sub, audience, reason, jti, null);
  }

  /** {@link #ofUser(String, String, String, Reason, String)} with its revocation time. */
  public static PendingRevocation ofUser(
      String issuer,
      String sub,
      String audience,
      Reason reason,
      String jti,
      Instant revocationTime) {
    return new PendingRevocation(
        Kind.USER, issuer, null, sub, audience, null, revocationTime, reason, jti, jti, null);
  }

  /** Keycloak's realm-wide logout or push not-before for a client. */
  public static PendingRevocation ofClient(
      String issuer, String clientId, Instant notBefore, Reason reason, String revocationId) {
    return new PendingRevocation(
        Kind.CLIENT,
        issuer,
        null,
        null,
        null,
        clientId,
        notBefore,
        reason,
        revocationId,
        null,
        null);
  }

  /**
   * What is left of {@code original} after its registry changes: its events, then its token's jti
   * marked processed.
   */
  public static PendingRevocation ofEvents(
      PendingRevocation original, List<Append> events, String jti) {
    return new PendingRevocation(
        Kind.EVENTS,
        original.issuer(),
        original.sid(),
        original.sub(),
        original.audience(),
        original.clientId(),
        original.notBefore(),
        original.reason(),
        original.revocationId(),
        jti,
        List.copyOf(events));
  }
}
