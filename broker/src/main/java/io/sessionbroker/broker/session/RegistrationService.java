package io.sessionbroker.broker.session;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.SessionStore.RegisterResult;
import io.sessionbroker.broker.token.IdToken;
import io.sessionbroker.broker.token.IdTokenValidator;
import io.sessionbroker.broker.token.Issuer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Registers app sessions: works out sid, user and expiry, then stores atomically. */
@ApplicationScoped
public class RegistrationService {

  private final SessionStore store;
  private final IdTokenValidator idTokens;
  private final Duration defaultTtl;
  private final Duration maxTtl;
  private final Duration clockSkew;
  private final Clock clock = Clock.systemUTC();

  RegistrationService(SessionStore store, IdTokenValidator idTokens, SessionBrokerConfig config) {
    this.store = store;
    this.idTokens = idTokens;
    this.defaultTtl = config.sessions().defaultTtl();
    this.maxTtl = config.sessions().maxTtl();
    this.clockSkew = config.logout().clockSkew();
  }

  /** Registers a session from the app's ID token (the broker takes sid and sub from it). */
  public SessionRecord registerWithIdToken(
      Issuer callerIssuer, String clientId, String sessionId, String idToken, Instant expiresAt) {
    IdToken token = idTokens.validate(idToken, callerIssuer, clientId);
    return store(
        new NewRegistration(
            callerIssuer.alias(),
            clientId,
            sessionId,
            token.sid(),
            token.sub(),
            token.issuedAt(),
            expiry(expiresAt),
            true));
  }

  /** Registers a session the app describes itself, without saying when it started. */
  public SessionRecord register(
      Issuer callerIssuer,
      String clientId,
      String sessionId,
      String sid,
      String sub,
      Instant expiresAt) {
    return register(callerIssuer, clientId, sessionId, sid, sub, expiresAt, null);
  }

  /**
   * Registers a session the app describes itself.
   *
   * @param issuedAt when the session started (SPEC §3.2 start-time rule), or null when unknown
   * @throws InvalidRegistrationException when {@code issuedAt} is in the future beyond clock skew
   */
  public SessionRecord register(
      Issuer callerIssuer,
      String clientId,
      String sessionId,
      String sid,
      String sub,
      Instant expiresAt,
      Instant issuedAt) {
    if (issuedAt != null && issuedAt.isAfter(clock.instant().plus(clockSkew))) {
      throw new InvalidRegistrationException(
          "invalid_issued_at", "issuedAt is in the future beyond the allowed clock skew");
    }
    return store(
        new NewRegistration(
            callerIssuer.alias(),
            clientId,
            sessionId,
            sid,
            sub,
            issuedAt,
            expiry(expiresAt),
            false));
  }

  private Instant expiry(Instant requested) {
    // Stored with millisecond precision: answer what a later read returns.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    if (requested == null) {
      return now.plus(defaultTtl);
    }
    if (!requested.isAfter(now)) {
      throw new InvalidRegistrationException("invalid_expiry", "expiresAt must be in the future");
    }
    Instant latest = now.plus(maxTtl);
    return requested.isAfter(latest) ? latest : requested.truncatedTo(ChronoUnit.MILLIS);
  }

  private SessionRecord store(NewRegistration registration) {
    RegisterResult result = store.register(registration);
    return switch (result.status()) {
      case CREATED, UPDATED -> result.record();
      case REVOKED ->
          throw new SessionRevokedException(
              "this SSO session (sid), its user or its client was revoked at or after the"
                  + " session's start; drop the local session");
      case SUB_MISMATCH ->
          throw new InvalidRegistrationException(
              "sub_mismatch", "the sid's user, verified from an ID token, is not the sub given");
    };
  }
}
