package io.sessionbroker.broker.session;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.SessionStore.RegisterResult;
import io.sessionbroker.broker.token.IdTokenValidator;
import io.sessionbroker.broker.token.Issuer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

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

  /**
   * Registers a session from the app's ID token (SPEC §3.2, {@code POST /api/v1/sessions} with
   * {@code idToken}): verifies it (OIDC Core §3.1.3.7 as far as a third party can), takes {@code
   * sid}, {@code sub} and the start ({@code iat}) from it, then stores as {@link
   * SessionStore#register}. Holds no thread: the signature check runs on the calling thread when
   * the issuer's key is cached, else the rest resumes on {@code resumeOn} after the key refresh
   * (SPEC §4); Redis replies arrive on the Redis client's event loop.
   *
   * @param callerIssuer the caller's issuer, which must have issued the ID token
   * @param clientId the caller's client, which must be in the ID token's {@code aud}
   * @param expiresAt the registration's requested end, or null for the configured default
   * @param resumeOn where processing resumes after a key refresh, e.g. the request's Vert.x context
   * @return the stored record; failed with {@link
   *     io.sessionbroker.broker.token.TokenRejectedException} (a broken rule), {@link
   *     io.sessionbroker.broker.token.KeysUnavailableException} (the issuer's keys cannot be had
   *     now), {@link InvalidRegistrationException} (a bad {@code expiresAt}, a {@code sub} that
   *     contradicts the sid's verified user), {@link SessionRevokedException} (a revocation covers
   *     the session), or the Redis client's failure
   */
  public Uni<SessionRecord> registerWithIdTokenAsync(
      Issuer callerIssuer,
      String clientId,
      String sessionId,
      String idToken,
      Instant expiresAt,
      Executor resumeOn) {
    return Uni.createFrom()
        .completionStage(() -> idTokens.validateLater(idToken, callerIssuer, clientId, resumeOn))
        .onFailure(CompletionException.class)
        .transform(Throwable::getCause)
        .flatMap(
            token ->
                store(
                    new NewRegistration(
                        callerIssuer.alias(),
                        clientId,
                        sessionId,
                        token.sid(),
                        token.sub(),
                        token.issuedAt(),
                        expiry(expiresAt),
                        true)));
  }

  /**
   * Registers a session the app describes itself (SPEC §3.2, {@code POST /api/v1/sessions} with
   * {@code sid}): the issuer is the caller's, the user a claim of the app. Holds no thread: the
   * answer comes when Redis has answered.
   *
   * @param sub the user as the app claims it, or null
   * @param expiresAt the registration's requested end, or null for the configured default
   * @param issuedAt when the session started (SPEC §3.2 start-time rule), or null when unknown
   * @return the stored record; failed with {@link InvalidRegistrationException} ({@code issuedAt}
   *     in the future beyond clock skew, a bad {@code expiresAt}, a {@code sub} that contradicts
   *     the sid's verified user), {@link SessionRevokedException} (a revocation covers the
   *     session), or the Redis client's failure
   */
  public Uni<SessionRecord> registerAsync(
      Issuer callerIssuer,
      String clientId,
      String sessionId,
      String sid,
      String sub,
      Instant expiresAt,
      Instant issuedAt) {
    return Uni.createFrom()
        .deferred(
            () -> {
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
            });
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

  private Uni<SessionRecord> store(NewRegistration registration) {
    return store.registerAsync(registration).map(RegistrationService::recordOf);
  }

  /** The stored record, or the refusal as its exception. */
  private static SessionRecord recordOf(RegisterResult result) {
    return switch (result.status()) {
      case CREATED, UPDATED -> result.record();
      case REVOKED ->
          throw new SessionRevokedException(
              "this SSO session (sid), its user or its client was revoked at or after the"
                  + " session's start; drop the local session");
      case SUB_MISMATCH ->
          throw new InvalidRegistrationException(
              "sub_mismatch", "the sid's user, verified from an ID token, is not the sub given");
      case TOO_MANY_FOR_SID ->
          throw new InvalidRegistrationException(
              "too_many_sessions_for_sid",
              "this SSO session (sid) already has the most registrations one sid may have"
                  + " (session-broker.registration.max-per-sid); end a session of it first");
    };
  }
}
