package io.sessionbroker.broker.session;

import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where registrations live. Implemented over Redis in the store package. */
public interface SessionStore {

  /** Outcome of {@link #register}. */
  enum RegisterStatus {
    CREATED,
    UPDATED,
    REVOKED,
    SUB_MISMATCH,
    /** The sid already holds {@code session-broker.registration.max-per-sid} registrations. */
    TOO_MANY_FOR_SID
  }

  /** Result of {@link #register}: the stored record when created or updated. */
  record RegisterResult(RegisterStatus status, SessionRecord record) {}

  /**
   * Stores a registration unless its sid, user or client was revoked at or after its start (SPEC
   * §3.2; whole seconds, equal refuses); atomic against a concurrent logout of the same sid.
   */
  RegisterResult register(NewRegistration registration);

  /**
   * {@link #register} without holding the calling thread (safe on a Vert.x event loop): the same
   * checks and writes, answered when Redis has answered.
   *
   * @return the result; failed with the Redis client's failure (an outage is told by {@code
   *     RedisFailures.isUnavailable}), or with a timeout after {@code quarkus.redis.timeout}
   */
  Uni<RegisterResult> registerAsync(NewRegistration registration);

  /** One registration of a client. */
  Optional<SessionRecord> find(String issuer, String clientId, String sessionId);

  /** Removes a registration (the app ended the session itself). */
  boolean delete(String issuer, String clientId, String sessionId);

  /** Registrations matching the query, one page. */
  SessionPage query(SessionQuery query);

  /**
   * Result of revoking an SSO session.
   *
   * @param generation which logout of this sid it is (0 for the first): a later revocation time
   *     than the recorded one, or a session admitted after the earlier logout, makes a new
   *     generation, a new revocation with its own events rather than a repeat of the earlier one
   */
  record SidRevocation(
      String sub, Instant revokedAt, List<SessionRecord> affected, long generation) {}

  /**
   * Writes the logout tombstone of {@code sid} and revokes its registrations: every client's when
   * {@code onlyClientId} is null, else only that client's.
   *
   * @param audience the client of the logout token that asks for it, or null (an admin action): a
   *     later token for a client whose token the recorded logout had already is a new logout
   * @param now when the revocation is recorded (the registrations' {@code revokedAt})
   * @param revocationTime the revocation time of SPEC §3.2 (a logout token's {@code iat}, an admin
   *     action's time), kept in the tombstone (the latest one wins) for the registration start-time
   *     rule; a later one than the recorded one is a new logout (a new {@link
   *     SidRevocation#generation})
   */
  SidRevocation revokeSid(
      String issuer,
      String sid,
      String onlyClientId,
      String audience,
      Instant now,
      Instant revocationTime);

  /**
   * {@link #revokeSid} of one user's part of an SSO session (a revocation by {@code sub}): the
   * whole SSO session when its verified user (from an ID token) is {@code sub}; otherwise only the
   * registrations whose app claimed {@code sub}, and the sid gets no tombstone, so an app's claim
   * cannot make a revocation of one user reach another user's sessions.
   */
  SidRevocation revokeUserInSid(
      String issuer,
      String sid,
      String sub,
      String onlyClientId,
      Instant now,
      Instant revocationTime);

  /** {@link #revokeSid} of a revocation whose time is now. */
  default SidRevocation revokeSid(String issuer, String sid, String onlyClientId, Instant now) {
    return revokeSid(issuer, sid, onlyClientId, onlyClientId, now, now);
  }

  /**
   * {@link #revokeSid} unless the logout token {@code jti} of {@code issuer}, naming {@code sid},
   * was processed already (SPEC §4 replay guard): checked in the same atomic step as the
   * revocation, and a replayed token changes nothing.
   */
  Uni<GuardedSidRevocation> revokeSidReadingJti(
      String issuer,
      String sid,
      String onlyClientId,
      String audience,
      Instant now,
      Instant revocationTime,
      String jti);

  /**
   * Result of {@link #revokeSidReadingJti}.
   *
   * @param jtiProcessed the token was processed already: nothing was changed
   * @param revocation what the revocation did; null when {@code jtiProcessed}
   */
  record GuardedSidRevocation(boolean jtiProcessed, SidRevocation revocation) {}

  /**
   * The SSO sessions of a user that have registrations. May name, very rarely, an SSO session of
   * another user (the index keeps a digest of the user, see IndexEncoding): callers confirm the
   * user in the session itself, as revokeUserInSid and a query's filter on the record's sub do.
   */
  List<String> sidsOfUser(String issuer, String sub);

  /**
   * Remembers that every session of {@code sub} that started at or before {@code notBefore} is
   * revoked. The marker only moves forward, atomically.
   *
   * @return false when a later time was remembered already: nothing changed
   */
  boolean markUserRevokedBefore(String issuer, String sub, Instant notBefore);

  /**
   * Records a logout of every session of {@code sub} and tells which logout it belongs to (SPEC
   * §3.3, one event per client per logout), atomically, also across broker replicas: the same
   * revocation id again, a revocation time not later than the recorded one, or, within {@code
   * session-broker.sessions.logout-fan-out-window} after the recorded logout was received, an admin
   * revocation or a token of a client whose token the recorded logout has not had yet, is the
   * recorded logout; anything else is a new logout (the next generation, its own receipt time).
   *
   * @param audience the logout token's client, or null (an admin revocation)
   * @param origin the revocation id (the token's {@code jti}, an admin request id)
   * @param now when the revocation is received
   * @param revocationTime the revocation time of SPEC §3.2 (a logout token's {@code iat}, an admin
   *     action's time)
   */
  UserLogout recordUserLogout(
      String issuer,
      String sub,
      String audience,
      String origin,
      Instant now,
      Instant revocationTime);

  /**
   * Which logout of a user a revocation belongs to ({@link #recordUserLogout}).
   *
   * @param revokedAt when the logout was first received
   * @param generation how many logouts of the user came before it while its record lived
   */
  record UserLogout(Instant revokedAt, long generation) {}

  /**
   * Remembers that every session of {@code clientId} that started at or before {@code notBefore} is
   * revoked. The marker only moves forward, atomically.
   *
   * @return false when a later time was remembered already: nothing changed
   */
  boolean markClientRevokedBefore(String issuer, String clientId, Instant notBefore);

  /**
   * Revokes every active registration of a client created at or before {@code notBefore}.
   *
   * @return the revoked registrations
   */
  List<SessionRecord> revokeClientSessions(String issuer, String clientId, Instant notBefore);

  /**
   * The clients that ever registered a session of {@code issuer} (one Redis call).
   *
   * @return their client ids, sorted
   */
  List<String> registeredClients(String issuer);

  /** Revokes one registration; returns it when it was active. */
  Optional<SessionRecord> revokeOne(String issuer, String clientId, String sessionId, Instant now);
}
