package io.sessionbroker.broker.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.NewRegistration;
import io.sessionbroker.broker.session.SessionPage;
import io.sessionbroker.broker.session.SessionQuery;
import io.sessionbroker.broker.session.SessionRecord;
import io.sessionbroker.broker.session.SessionStore;
import io.sessionbroker.broker.session.SessionStore.UserLogout;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The session registry over Redis (keys in {@link RedisKeys}, the sid hash's fields and values in
 * {@link SidHash}), split by job: {@link RedisRegistrations} registers (on the event loop), {@link
 * RedisRevocations} revokes, {@link RedisSessionReads} finds and queries.
 */
@ApplicationScoped
public class RedisSessionStore implements SessionStore {

  private final RedisCalls calls;
  private final RedisSessionReads reads;
  private final RedisRevocations revocations;
  private final RedisRegistrations registrations;

  @Inject
  RedisSessionStore(
      RedisDataSource redis,
      RedisCalls calls,
      RedisKeys keys,
      CursorSigningKey cursorKey,
      RegistrationHeadroom headroom,
      SessionBrokerConfig config) {
    this(
        redis,
        calls,
        keys,
        cursorKey,
        headroom,
        Clock.systemUTC(),
        config.sessions().tombstoneTtl(),
        config.sessions().logoutFanOutWindow(),
        config.issuers().keySet().stream().sorted().toList(),
        config.registration().maxPerSid());
  }

  RedisSessionStore(
      RedisDataSource redis,
      RedisCalls calls,
      RedisKeys keys,
      CursorSigningKey cursorKey,
      RegistrationHeadroom headroom,
      Clock clock,
      Duration tombstoneTtl,
      Duration logoutFanOutWindow,
      List<String> issuerAliases,
      int maxPerSid) {
    this.calls = calls;
    this.reads = new RedisSessionReads(redis, keys, clock, issuerAliases, cursorKey);
    this.revocations =
        new RedisRevocations(redis, calls, keys, clock, tombstoneTtl, logoutFanOutWindow, reads);
    this.registrations =
        new RedisRegistrations(calls, keys, clock, revocations, headroom, maxPerSid);
  }

  /** {@link #registerAsync}, waiting at most {@code quarkus.redis.timeout} for Redis. */
  @Override
  public RegisterResult register(NewRegistration reg) {
    return calls.await(registerAsync(reg));
  }

  /** Without holding the calling thread: {@link RedisRegistrations#register}. */
  @Override
  public Uni<RegisterResult> registerAsync(NewRegistration reg) {
    return registrations.register(reg);
  }

  @Override
  public Optional<SessionRecord> find(String issuer, String clientId, String sessionId) {
    return reads.find(issuer, clientId, sessionId);
  }

  @Override
  public boolean delete(String issuer, String clientId, String sessionId) {
    return revocations.delete(issuer, clientId, sessionId);
  }

  @Override
  public Optional<SessionRecord> revokeOne(
      String issuer, String clientId, String sessionId, Instant now) {
    return revocations.revokeOne(issuer, clientId, sessionId, now);
  }

  @Override
  public SidRevocation revokeSid(
      String issuer,
      String sid,
      String onlyClientId,
      String audience,
      Instant now,
      Instant revocationTime) {
    return revocations.revokeSid(issuer, sid, onlyClientId, audience, now, revocationTime);
  }

  @Override
  public SidRevocation revokeUserInSid(
      String issuer,
      String sid,
      String sub,
      String onlyClientId,
      Instant now,
      Instant revocationTime) {
    return revocations.revokeUserInSid(issuer, sid, sub, onlyClientId, now, revocationTime);
  }

  /** Without holding the calling thread: {@link RedisRevocations#revokeSidReadingJti}. */
  @Override
  public Uni<GuardedSidRevocation> revokeSidReadingJti(
      String issuer,
      String sid,
      String onlyClientId,
      String audience,
      Instant now,
      Instant revocationTime,
      String jti) {
    return revocations.revokeSidReadingJti(
        issuer, sid, onlyClientId, audience, now, revocationTime, jti);
  }

  @Override
  public List<String> registeredClients(String issuer) {
    return reads.clientsOf(issuer);
  }

  @Override
  public List<String> sidsOfUser(String issuer, String sub) {
    return reads.sidsOfUser(issuer, sub);
  }

  @Override
  public UserLogout recordUserLogout(
      String issuer,
      String sub,
      String audience,
      String origin,
      Instant now,
      Instant revocationTime) {
    return revocations.recordUserLogout(issuer, sub, audience, origin, now, revocationTime);
  }

  @Override
  public boolean markUserRevokedBefore(String issuer, String sub, Instant notBefore) {
    return revocations.markUserRevokedBefore(issuer, sub, notBefore);
  }

  @Override
  public boolean markClientRevokedBefore(String issuer, String clientId, Instant notBefore) {
    return revocations.markClientRevokedBefore(issuer, clientId, notBefore);
  }

  @Override
  public List<SessionRecord> revokeClientSessions(
      String issuer, String clientId, Instant notBefore) {
    return revocations.revokeClientSessions(issuer, clientId, notBefore);
  }

  @Override
  public SessionPage query(SessionQuery query) {
    return reads.query(query);
  }
}
