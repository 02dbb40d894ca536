package io.sessionbroker.broker.session;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.config.SessionBrokerConfig.LogoutScope;
import io.sessionbroker.broker.session.EventLog.Append;
import io.sessionbroker.broker.session.EventLog.ProcessedJti;
import io.sessionbroker.broker.session.RevocationEvent.EventType;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import io.sessionbroker.broker.session.SessionStore.SidRevocation;
import io.sessionbroker.broker.session.SessionStore.UserLogout;
import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Revokes sessions and emits one event per affected client (SPEC §3.3).
 *
 * <p>Every method is idempotent: replaying the same revocation (a retried request, another client's
 * token of the same logout of a {@code sid}, a second broker instance) revokes nothing new and
 * appends no second event, because each event carries a dedupe key that the event log checks
 * atomically. A later logout of the same {@code sid} (a later revocation time) is a new revocation
 * with its own events (revoke_sid.lua); so is a later logout of the same user (user_logout.lua).
 *
 * <p><b>Which clients are told</b> ({@link #knownClients} and {@link #clientsTold}, the one place
 * this is decided): every client with an affected registration; the logout token's audience client;
 * and, for an administrator's revocation by {@code sid} or {@code sub} (reason {@code admin}, no
 * audience), every known client of the issuer, with empty {@code sessionIds} where it has no
 * affected registration, since apps (and proxies asking the verdict) may keep no registration at
 * all.
 */
@ApplicationScoped
public class RevocationService {

  /**
   * At most this many clients without an affected registration are told of one admin revocation
   * (the allow-list first, in its configured order, then registered clients, then other known
   * clients, each sorted); clients with affected registrations are always told. All of one
   * revocation's events are one pipelined round trip.
   */
  public static final int MAX_UNAFFECTED_CLIENTS_TOLD = 1000;

  private static final Logger LOG = Logger.getLogger(RevocationService.class);

  private final SessionStore store;
  private final EventLog events;
  private final LogoutScope scope;
  private final Clock clock;
  private final IssuerDirectory issuers;
  private final StreamClients streamClients;

  @Inject
  RevocationService(
      SessionStore store,
      EventLog events,
      SessionBrokerConfig config,
      IssuerDirectory issuers,
      StreamClients streamClients) {
    this(store, events, config.logout().scope(), Clock.systemUTC(), issuers, streamClients);
  }

  RevocationService(
      SessionStore store,
      EventLog events,
      LogoutScope scope,
      Clock clock,
      IssuerDirectory issuers,
      StreamClients streamClients) {
    this.store = store;
    this.events = events;
    this.scope = scope;
    this.clock = clock;
    this.issuers = issuers;
    this.streamClients = streamClients;
  }

  /**
   * Logs out one SSO session. In scope {@code sso} every client with registrations under {@code
   * sid} gets an event; in scope {@code client} only {@code audience}. The audience client always
   * gets one, also without registrations, since apps may drop sessions by {@code sid} alone.
   *
   * @param audience the logout token's client, or null for an admin revocation (all clients)
   * @param knownSub the user named by the logout token, or null; used when no registration under
   *     the sid names the user
   * @param origin what caused it (the token's jti, an admin request id), to tell retries apart
   */
  public List<PublishedEvent> revokeSid(
      String issuer, String sid, String knownSub, String audience, Reason reason, String origin) {
    return revokeSid(issuer, sid, knownSub, audience, reason, origin, null);
  }

  /**
   * {@link #revokeSid(String, String, String, String, Reason, String)} with its revocation time.
   *
   * @param revocationTime the revocation time of SPEC §3.2 (a logout token's {@code iat}); null:
   *     now (an admin action's time)
   */
  public List<PublishedEvent> revokeSid(
      String issuer,
      String sid,
      String knownSub,
      String audience,
      Reason reason,
      String origin,
      Instant revocationTime) {
    Set<String> known = knownClients(issuer, audience, reason);
    Instant now = clock.instant();
    String onlyClient = scope == LogoutScope.CLIENT ? audience : null;
    SidRevocation revocation =
        store.revokeSid(
            issuer, sid, onlyClient, audience, now, revocationTime != null ? revocationTime : now);
    List<String> told = clientsTold(issuer, audience, revocation.affected(), known);
    return appendOwed(sidEvents(issuer, sid, knownSub, told, reason, origin, revocation), null);
  }

  /**
   * {@link #revokeSid} for a logout token that must take effect once (SPEC §4 replay guard): when
   * its {@code jti} was processed already nothing is changed or published; else the jti is marked
   * processed after the events. The replay check is part of the revocation's script and the mark
   * rides with the events, so a logout costs two round trips whatever the number of clients. Never
   * blocks: each round trip is answered on the Redis client's event loop, so a caller on the event
   * loop is never blocked (SPEC §6), and each is bounded by the Redis timeout.
   *
   * @param revocationTime the token's {@code iat} (SPEC §3.2); null: now
   * @return the published events, or empty when the token was processed already; failed with {@link
   *     EventsNotAppendedException} when the registrations were revoked but the events not all
   *     appended (SPEC §5 partial failure), else with the Redis failure
   */
  public Uni<Optional<List<PublishedEvent>>> revokeSidOnce(
      String issuer,
      String sid,
      String knownSub,
      String audience,
      Reason reason,
      String origin,
      Instant revocationTime,
      String jti,
      Duration jtiRetention) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Instant now = clock.instant();
              String onlyClient = scope == LogoutScope.CLIENT ? audience : null;
              return store.revokeSidReadingJti(
                  issuer,
                  sid,
                  onlyClient,
                  audience,
                  now,
                  revocationTime != null ? revocationTime : now,
                  jti);
            })
        .flatMap(
            guarded -> {
              if (guarded.jtiProcessed()) {
                return Uni.createFrom().item(Optional.<List<PublishedEvent>>empty());
              }
              // A logout token always has an audience: no Redis call on the event loop here.
              Set<String> known = knownClients(issuer, audience, reason);
              List<String> told =
                  clientsTold(issuer, audience, guarded.revocation().affected(), known);
              List<Append> appends =
                  sidEvents(issuer, sid, knownSub, told, reason, origin, guarded.revocation());
              ProcessedJti processed = new ProcessedJti(issuer, sid, jti, jtiRetention);
              return events
                  .appendAndPublishAllAsync(appends, processed)
                  .onFailure()
                  .transform(e -> new EventsNotAppendedException(appends, processed, asRuntime(e)))
                  .map(Optional::of);
            });
  }

  private static RuntimeException asRuntime(Throwable failure) {
    return failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
  }

  private static List<Append> sidEvents(
      String issuer,
      String sid,
      String knownSub,
      List<String> told,
      Reason reason,
      String origin,
      SidRevocation revocation) {
    // The verified user (ID token, logout token) where known; else each client's own claim, so
    // no client is told a user that another client claimed.
    String verifiedSub = revocation.sub() != null ? revocation.sub() : knownSub;
    Map<String, String> claimedSubs = new LinkedHashMap<>();
    if (verifiedSub == null) {
      for (SessionRecord record : revocation.affected()) {
        if (record.sub() != null) {
          claimedSubs.putIfAbsent(record.clientId(), record.sub());
        }
      }
    }
    Map<String, List<String>> sessionsByClient = groupByClient(revocation.affected(), told);
    List<Append> appends = new ArrayList<>(sessionsByClient.size());
    sessionsByClient.forEach(
        (clientId, sessionIds) ->
            appends.add(
                new Append(
                    new RevocationEvent(
                        EventType.SESSION_REVOKED,
                        reason,
                        issuer,
                        clientId,
                        sid,
                        verifiedSub != null ? verifiedSub : claimedSubs.get(clientId),
                        sessionIds,
                        revocation.revokedAt(),
                        null),
                    // One event per logout of the sid, also from several audiences of one token
                    // or retries; a logout with a later revocation time, or after a session was
                    // admitted past the earlier one, is a new one (revoke_sid.lua).
                    DedupeKey.sidLogout(sid, revocation.revokedAt(), revocation.generation()),
                    origin)));
    return appends;
  }

  /**
   * Logs out every session of a user: a logout token with {@code sub} and no {@code sid}, or an
   * admin revocation by {@code sub}. Each affected client gets one event per logout of the user
   * (SPEC §3.3): Keycloak sends each client of one logout its own sub-only token (own {@code jti},
   * own {@code iat}), and these, a retried admin request and a revocation applied again from the
   * journal are the same logout ({@link SessionStore#recordUserLogout}); a later logout of the user
   * has its own events.
   *
   * @param audience the logout token's client, or null for an admin revocation
   * @param revocationId identifies this revocation (the token's {@code jti}, an admin request id):
   *     applied again, it repeats the logout it was taken for
   */
  public List<PublishedEvent> revokeUser(
      String issuer, String sub, String audience, Reason reason, String revocationId) {
    return revokeUser(issuer, sub, audience, reason, revocationId, null);
  }

  /**
   * {@link #revokeUser(String, String, String, Reason, String)} with its revocation time.
   *
   * @param revocationTime the revocation time of SPEC §3.2 (a logout token's {@code iat}): sessions
   *     of the user that start later register normally; null: now (an admin action's time)
   */
  public List<PublishedEvent> revokeUser(
      String issuer,
      String sub,
      String audience,
      Reason reason,
      String revocationId,
      Instant revocationTime) {
    Set<String> known = knownClients(issuer, audience, reason);
    Instant now = clock.instant();
    Instant time = revocationTime != null ? revocationTime : now;
    // The marker goes first: a registration racing this revocation then either is found in
    // the index below or finds the marker itself (see RedisRegistrations in the store package).
    store.markUserRevokedBefore(issuer, sub, time);
    UserLogout logout = store.recordUserLogout(issuer, sub, audience, revocationId, now, time);
    String onlyClient = scope == LogoutScope.CLIENT ? audience : null;
    List<SessionRecord> affected = new ArrayList<>();
    for (String sid : store.sidsOfUser(issuer, sub)) {
      affected.addAll(store.revokeUserInSid(issuer, sid, sub, onlyClient, now, time).affected());
    }
    Map<String, List<String>> sessionsByClient =
        groupByClient(affected, clientsTold(issuer, audience, affected, known));
    List<Append> appends = new ArrayList<>(sessionsByClient.size());
    sessionsByClient.forEach(
        (clientId, sessionIds) ->
            appends.add(
                new Append(
                    new RevocationEvent(
                        EventType.USER_REVOKED,
                        reason,
                        issuer,
                        clientId,
                        null,
                        sub,
                        sessionIds,
                        logout.revokedAt(),
                        null),
                    // One event per logout of the user; its receipt time keeps the key unique
                    // after the record expired and its generations start again.
                    DedupeKey.userLogout(sub, logout.revokedAt(), logout.generation()),
                    revocationId)));
    return appendOwed(appends, null);
  }

  /**
   * Revokes every session of a client that started at or before {@code notBefore} (Keycloak's
   * realm-wide "logout all" and "push not-before"; SPEC §3.2). A {@code notBefore} lower than one
   * applied already changes nothing; an equal one is a retry and repeats idempotently.
   *
   * @param revocationId identifies this revocation for deduplication (Keycloak's action id)
   * @return the event, or null when a later not-before was applied already
   */
  public PublishedEvent revokeClient(
      String issuer, String clientId, Instant notBefore, Reason reason, String revocationId) {
    if (!store.markClientRevokedBefore(issuer, clientId, notBefore)) {
      return null;
    }
    List<String> sessionIds =
        store.revokeClientSessions(issuer, clientId, notBefore).stream()
            .map(SessionRecord::sessionId)
            .toList();
    RevocationEvent event =
        new RevocationEvent(
            EventType.CLIENT_REVOKED,
            reason,
            issuer,
            clientId,
            null,
            null,
            sessionIds,
            clock.instant(),
            notBefore);
    return appendOwed(
            List.of(new Append(event, DedupeKey.clientRevocation(revocationId), revocationId)),
            null)
        .get(0);
  }

  /**
   * Appends the events of a revocation whose registry changes are done. A failure here is a partial
   * failure (SPEC §5): it is reported as {@link EventsNotAppendedException} with what is owed, so
   * it is retried or journaled, never dropped.
   */
  private List<PublishedEvent> appendOwed(List<Append> appends, ProcessedJti processed) {
    try {
      return events.appendAndPublishAll(appends, processed);
    } catch (RuntimeException e) {
      throw new EventsNotAppendedException(appends, processed, e);
    }
  }

  /** Revokes one registered session of a client (admin). */
  public Optional<PublishedEvent> revokeSession(
      String issuer, String clientId, String sessionId, Reason reason) {
    return store
        .revokeOne(issuer, clientId, sessionId, clock.instant())
        .map(
            record ->
                events.appendAndPublish(
                    new RevocationEvent(
                        EventType.SESSION_REVOKED,
                        reason,
                        issuer,
                        clientId,
                        record.sid(),
                        record.sub(),
                        List.of(sessionId),
                        record.revokedAt(),
                        null),
                    // A session id can be registered again after a revocation: each registration
                    // (told apart by its creation time) gets its own event.
                    DedupeKey.sessionRevocation(sessionId, record.createdAt()),
                    "session:" + sessionId + ":" + record.createdAt().toEpochMilli()));
  }

  /**
   * The issuer's known clients that an audience-less admin revocation by {@code sid} or {@code sub}
   * (reason {@code admin}) tells besides the affected ones: the allow-list ({@code
   * session-broker.issuers.<alias>.clients}) in its configured order, the clients that ever
   * registered a session, sorted, and the clients the verdict's feed knows ({@link StreamClients}),
   * sorted. Empty for every other revocation: a back-channel logout or Keycloak admin action names
   * its audience client, and the reconciliation's {@code expired} revocations only concern the
   * registrations they found. Asked before the revocation changes anything, so a failure here
   * changes nothing.
   *
   * @return client ids, without duplicates; one Redis call ({@code SMEMBERS}) for an admin
   *     revocation, none otherwise (so never one on the event loop of a logout)
   */
  private Set<String> knownClients(String issuer, String audience, Reason reason) {
    Set<String> known = new LinkedHashSet<>();
    if (audience != null || reason != Reason.ADMIN) {
      return known;
    }
    issuers.byAlias(issuer).map(Issuer::clientAllowList).ifPresent(known::addAll);
    known.addAll(store.registeredClients(issuer));
    known.addAll(new TreeSet<>(streamClients.clientsOf(issuer)));
    return known;
  }

  /**
   * The clients told of a revocation of {@code sid} or {@code sub} (SPEC §3.3 "every affected
   * client"), in order: {@code audience} when given; every client with an affected registration;
   * then the {@link #knownClients} without affected registrations, at most {@link
   * #MAX_UNAFFECTED_CLIENTS_TOLD} of them. The same revocation applied again (a retry, the journal)
   * tells the same clients, or more when clients became known meanwhile; the dedupe keys keep each
   * client at one event.
   */
  private static List<String> clientsTold(
      String issuer, String audience, Collection<SessionRecord> affected, Set<String> known) {
    Set<String> told = new LinkedHashSet<>();
    if (audience != null) {
      told.add(audience);
    }
    affected.forEach(record -> told.add(record.clientId()));
    int unaffected = 0;
    for (String client : known) {
      if (told.contains(client)) {
        continue;
      }
      if (unaffected == MAX_UNAFFECTED_CLIENTS_TOLD) {
        LOG.warnf(
            "Admin revocation of issuer %s: more than %d known clients without affected"
                + " registrations, only the first %d are told",
            issuer, MAX_UNAFFECTED_CLIENTS_TOLD, MAX_UNAFFECTED_CLIENTS_TOLD);
        break;
      }
      told.add(client);
      unaffected++;
    }
    return new ArrayList<>(told);
  }

  private static Map<String, List<String>> groupByClient(
      List<SessionRecord> affected, List<String> told) {
    Map<String, List<String>> byClient = new LinkedHashMap<>();
    told.forEach(client -> byClient.put(client, new ArrayList<>()));
    for (SessionRecord record : affected) {
      byClient.computeIfAbsent(record.clientId(), c -> new ArrayList<>()).add(record.sessionId());
    }
    return byClient;
  }
}
