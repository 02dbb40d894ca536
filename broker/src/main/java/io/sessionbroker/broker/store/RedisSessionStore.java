package io.sessionbroker.broker.store;

import static io.sessionbroker.broker.store.RedisKeys.SEP;

import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.NewRegistration;
import io.sessionbroker.broker.session.SessionPage;
import io.sessionbroker.broker.session.SessionQuery;
import io.sessionbroker.broker.session.SessionRecord;
import io.sessionbroker.broker.session.SessionStatus;
import io.sessionbroker.broker.session.SessionStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The session registry over Redis (layout in {@link RedisKeys}).
 *
 * <p>Registration order matters for Redis Cluster, where the sid hash, the indexes and the "revoked
 * before" markers sit in different slots: first the sid hash, atomically against the sid's
 * tombstone (its script also tells the user, which the user index needs); then the indexes; last
 * the user's and client's "revoked before" markers are read (after the index writes: same pipeline,
 * or chained in a cluster). A concurrent user or client revocation sets its marker before it reads
 * the indexes, so either it finds the new registration or the registration finds its marker, and no
 * registration survives it. A broker dying between the sid hash and the index writes leaves a
 * registration that only a logout by its sid reaches; the caller got an error and the client
 * library retries, which writes the indexes.
 */
@ApplicationScoped
public class RedisSessionStore implements SessionStore {

  private static final LuaScript REGISTER = LuaScript.load("register");
  private static final LuaScript REVOKE_SID = LuaScript.load("revoke_sid");
  private static final LuaScript REVOKE_ONE = LuaScript.load("revoke_one");
  private static final LuaScript INDEX_PUT = LuaScript.load("index_put");
  private static final LuaScript REVOKED_BEFORE = LuaScript.load("revoked_before");

  private final RedisDataSource redis;
  private final RedisCalls calls;
  private final RedisKeys keys;
  private final Clock clock;
  private final Duration tombstoneTtl;
  private final List<String> issuerAliases;
  private final CursorSigningKey cursorKey;
  private final Set<String> knownClients = ConcurrentHashMap.newKeySet();

  @Inject
  RedisSessionStore(
      RedisDataSource redis,
      RedisCalls calls,
      RedisKeys keys,
      CursorSigningKey cursorKey,
      SessionBrokerConfig config) {
    this(
        redis,
        calls,
        keys,
        cursorKey,
        Clock.systemUTC(),
        config.sessions().tombstoneTtl(),
        config.issuers().keySet().stream().sorted().toList());
  }

  RedisSessionStore(
      RedisDataSource redis,
      RedisCalls calls,
      RedisKeys keys,
      CursorSigningKey cursorKey,
      Clock clock,
      Duration tombstoneTtl,
      List<String> issuerAliases) {
    this.redis = redis;
    this.calls = calls;
    this.keys = keys;
    this.cursorKey = cursorKey;
    this.clock = clock;
    this.tombstoneTtl = tombstoneTtl;
    this.issuerAliases = List.copyOf(issuerAliases);
  }

  /** {@link #registerAsync}, waiting at most {@code quarkus.redis.timeout} for Redis. */
  @Override
  public RegisterResult register(NewRegistration reg) {
    return calls.await(registerAsync(reg));
  }

  /**
   * Registers without holding the calling thread: every Redis call is sent at once and the next one
   * chained on its reply, which arrives on the Redis client's event loop. Two round trips (the sid
   * hash, then the index writes with the marker reads), a third only when a marker refuses the
   * session; in a cluster the writes and the reads are one round trip each.
   */
  @Override
  public Uni<RegisterResult> registerAsync(NewRegistration reg) {
    long now = clock.millis();
    String nowText = Long.toString(now);
    RedisCall sidWrite =
        RedisCall.script(
            REGISTER,
            List.of(keys.sid(reg.issuer(), reg.sid())),
            List.of(
                SidHash.registrationField(reg.clientId(), reg.sessionId()),
                reg.clientId(),
                reg.sub() == null ? "" : reg.sub(),
                IndexEncoding.storedId(reg.sub() == null ? "" : reg.sub()),
                nowText,
                Long.toString(reg.expiresAt().toEpochMilli()),
                nowText,
                // An unknown start: any logout of the sid refuses (see NewRegistration).
                reg.issuedAt() == null ? "-1" : Long.toString(reg.issuedAt().getEpochSecond()),
                reg.subVerified() ? "verified" : "claimed"));
    return calls.bounded(calls.send(sidWrite).flatMap(result -> indexAndCheck(reg, now, result)));
  }

  /** After the sid hash took the registration: the indexes, then the "revoked before" markers. */
  private Uni<RegisterResult> indexAndCheck(NewRegistration reg, long now, Response result) {
    String status = result.get(0).toString();
    String sub = emptyToNull(result.get(2).toString());
    switch (status) {
      case "revoked":
        return Uni.createFrom().item(new RegisterResult(RegisterStatus.REVOKED, null));
      case "sub_mismatch":
        return Uni.createFrom().item(new RegisterResult(RegisterStatus.SUB_MISMATCH, null));
      default:
        break;
    }
    long expires = reg.expiresAt().toEpochMilli();
    String expiresText = Long.toString(expires);
    String nowText = Long.toString(now);
    // Index writes, then the "revoked before" markers: the marker reads must run after the index
    // writes (see the class comment), so they follow them in one pipeline (one round trip), or in
    // a cluster, where they live on other nodes, are sent once the writes are answered.
    List<RedisCall> writes = new ArrayList<>(3);
    if (knownClients.add(reg.issuer() + SEP + reg.clientId())) {
      // Once per client and process: the set only grows, so repeating SADD buys nothing.
      writes.add(RedisCall.command("SADD", keys.clients(reg.issuer()), reg.clientId()));
    }
    writes.add(
        RedisCall.script(
            INDEX_PUT,
            List.of(keys.clientSessions(reg.issuer(), reg.clientId(), reg.sessionId())),
            List.of(
                reg.sessionId(),
                IndexEncoding.clientIndexValue(expires, reg.sid()),
                expiresText,
                nowText)));
    List<RedisCall> markerReads = new ArrayList<>(2);
    if (sub != null) {
      writes.add(userIndexCall(reg.issuer(), sub, reg.sid(), expires, nowText));
      markerReads.add(RedisCall.command("GET", keys.userNotBefore(reg.issuer(), sub)));
    }
    markerReads.add(RedisCall.command("GET", keys.clientNotBefore(reg.issuer(), reg.clientId())));
    Instant created = Instant.ofEpochMilli(Long.parseLong(result.get(1).toString()));
    Instant start = reg.issuedAt() != null ? reg.issuedAt() : Instant.ofEpochMilli(now);
    return readAfterWrites(writes, markerReads)
        .flatMap(
            markers -> {
              if (anyRevokedBefore(markers, start)) {
                return revokeRegistered(reg, now)
                    .replaceWith(new RegisterResult(RegisterStatus.REVOKED, null));
              }
              SessionRecord record =
                  new SessionRecord(
                      reg.issuer(),
                      reg.clientId(),
                      reg.sessionId(),
                      reg.sid(),
                      sub,
                      created,
                      reg.expiresAt(),
                      SessionStatus.ACTIVE,
                      null);
              return Uni.createFrom()
                  .item(
                      new RegisterResult(
                          "created".equals(status)
                              ? RegisterStatus.CREATED
                              : RegisterStatus.UPDATED,
                          record));
            });
  }

  /**
   * Revokes the registration just written (a "revoked before" marker covers it): revoke_one.lua on
   * its own sid hash, as {@link #revokeOne} does after finding the sid through the client index.
   */
  private Uni<Response> revokeRegistered(NewRegistration reg, long now) {
    return calls.send(
        RedisCall.script(
            REVOKE_ONE,
            List.of(keys.sid(reg.issuer(), reg.sid())),
            List.of(
                SidHash.registrationField(reg.clientId(), reg.sessionId()),
                Long.toString(now),
                "revoke",
                "0")));
  }

  private RedisCall userIndexCall(String issuer, String sub, String sid, long expires, String now) {
    return RedisCall.script(
        INDEX_PUT,
        List.of(keys.userSessions(issuer, sub)),
        List.of(
            IndexEncoding.userIndexField(sid),
            IndexEncoding.userIndexValue(expires, sub),
            Long.toString(expires),
            now));
  }

  /** Runs the writes, then the reads once the writes ran; the reads' replies. */
  private Uni<List<Response>> readAfterWrites(List<RedisCall> writes, List<RedisCall> reads) {
    if (calls.cluster()) {
      return calls.sendAll(writes).flatMap(written -> calls.sendAll(reads));
    }
    List<RedisCall> all = new ArrayList<>(writes.size() + reads.size());
    all.addAll(writes);
    all.addAll(reads);
    return calls.pipelineAsync(all).map(replies -> replies.subList(writes.size(), replies.size()));
  }

  /** Whether a "revoked before" marker (epoch ms; null = none) covers a session's start. */
  private static boolean anyRevokedBefore(List<Response> markers, Instant start) {
    for (Response marker : markers) {
      if (marker != null
          && covers(Long.parseLong(marker.toString()) / 1000, start.getEpochSecond())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The registration start-time rule of SPEC §3.2: a revocation covers a session (its sid, its
   * user, its client) iff its revocation time is at or after the session's start, in whole seconds,
   * so equal times refuse. register.lua applies the same comparison to sid tombstones, atomically.
   */
  static boolean covers(long revocationSeconds, long startSeconds) {
    return revocationSeconds >= startSeconds;
  }

  @Override
  public Optional<SessionRecord> find(String issuer, String clientId, String sessionId) {
    return sidOf(issuer, clientId, sessionId)
        .flatMap(sid -> readSid(issuer, sid))
        .flatMap(entries -> entries.find(clientId, sessionId));
  }

  private Optional<String> sidOf(String issuer, String clientId, String sessionId) {
    Response entry =
        redis.execute("HGET", keys.clientSessions(issuer, clientId, sessionId), sessionId);
    if (entry == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(IndexEncoding.sidOfClientIndexValue(entry.toString()));
  }

  @Override
  public boolean delete(String issuer, String clientId, String sessionId) {
    Optional<String> outcome = changeOne(issuer, clientId, sessionId, "delete", clock.millis());
    redis.execute("HDEL", keys.clientSessions(issuer, clientId, sessionId), sessionId);
    return outcome.filter("deleted"::equals).isPresent();
  }

  @Override
  public Optional<SessionRecord> revokeOne(
      String issuer, String clientId, String sessionId, Instant now) {
    return changeOne(issuer, clientId, sessionId, "revoke", now.toEpochMilli())
        .filter("revoked"::equals)
        .flatMap(revoked -> find(issuer, clientId, sessionId));
  }

  /** Runs revoke_one.lua on a registration found through the client index; its status. */
  private Optional<String> changeOne(
      String issuer, String clientId, String sessionId, String mode, long nowMillis) {
    return sidOf(issuer, clientId, sessionId)
        .map(
            sid ->
                REVOKE_ONE
                    .run(
                        redis,
                        List.of(keys.sid(issuer, sid)),
                        List.of(
                            SidHash.registrationField(clientId, sessionId),
                            Long.toString(nowMillis),
                            mode,
                            "0"))
                    .get(0)
                    .toString());
  }

  @Override
  public SidRevocation revokeSid(
      String issuer, String sid, String onlyClientId, Instant now, Instant revocationTime) {
    RedisCall call = revokeSidCall(issuer, sid, onlyClientId, now, revocationTime, "");
    return sidRevocation(issuer, sid, calls.await(calls.send(call)));
  }

  @Override
  public SidRevocation revokeUserInSid(
      String issuer,
      String sid,
      String sub,
      String onlyClientId,
      Instant now,
      Instant revocationTime) {
    RedisCall call = revokeSidCall(issuer, sid, onlyClientId, now, revocationTime, sub);
    return sidRevocation(issuer, sid, calls.await(calls.send(call)));
  }

  /**
   * One revoke_sid.lua run with the token's jti marker as its second key (the sid's slot, see
   * {@link RedisKeys#processedJti(String, String, String)}): one command in any topology.
   */
  @Override
  public Uni<GuardedSidRevocation> revokeSidReadingJti(
      String issuer,
      String sid,
      String onlyClientId,
      Instant now,
      Instant revocationTime,
      String jti) {
    RedisCall call =
        revokeSidCall(
            issuer,
            sid,
            onlyClientId,
            now,
            revocationTime,
            "",
            keys.processedJti(issuer, sid, jti));
    return calls
        .bounded(calls.send(call))
        .map(
            result ->
                alreadyProcessed(result)
                    ? new GuardedSidRevocation(true, null)
                    : new GuardedSidRevocation(false, sidRevocation(issuer, sid, result)));
  }

  /** Whether revoke_sid.lua found the token's jti marker and changed nothing. */
  private static boolean alreadyProcessed(Response result) {
    return result.size() > 4 && result.get(4).toLong() == 1L;
  }

  /** revoke_sid.lua; {@code onlySub} "" for the whole SSO session. */
  private RedisCall revokeSidCall(
      String issuer,
      String sid,
      String onlyClientId,
      Instant now,
      Instant revocationTime,
      String onlySub) {
    return revokeSidCall(issuer, sid, onlyClientId, now, revocationTime, onlySub, null);
  }

  /** revoke_sid.lua, skipped when {@code jtiKey} (null: none) marks its token processed. */
  private RedisCall revokeSidCall(
      String issuer,
      String sid,
      String onlyClientId,
      Instant now,
      Instant revocationTime,
      String onlySub,
      String jtiKey) {
    return RedisCall.script(
        REVOKE_SID,
        jtiKey == null ? List.of(keys.sid(issuer, sid)) : List.of(keys.sid(issuer, sid), jtiKey),
        List.of(
            Long.toString(now.toEpochMilli()),
            onlyClientId == null ? "sso" : "client",
            onlyClientId == null ? "" : onlyClientId,
            Long.toString(tombstoneTtl.toMillis()),
            Long.toString(revocationTime.getEpochSecond()),
            onlySub,
            IndexEncoding.storedId(onlySub)));
  }

  private SidRevocation sidRevocation(String issuer, String sid, Response result) {
    Instant revokedAt = Instant.ofEpochMilli(Long.parseLong(result.get(0).toString()));
    String sub = emptyToNull(IndexEncoding.idOfStored(result.get(1).toString()));
    List<SessionRecord> affected = new ArrayList<>();
    long readAt = clock.millis();
    forEachPair(
        result.get(2),
        (field, value) ->
            registration(issuer, sid, sub, field, value, readAt).ifPresent(affected::add));
    long generation = result.size() > 3 ? Long.parseLong(result.get(3).toString()) : 0;
    return new SidRevocation(sub, revokedAt, affected, generation);
  }

  @Override
  public List<String> sidsOfUser(String issuer, String sub) {
    // A set: a sid may be in the bucket twice, written before and after the compact id form.
    Set<String> sids = new LinkedHashSet<>();
    long now = clock.millis();
    Response all = redis.execute("HGETALL", keys.userSessions(issuer, sub));
    // The bucket holds other users' entries too (IndexEncoding).
    forEachPair(
        all,
        (field, value) -> {
          if (IndexEncoding.mayBeEntryOf(value, sub) && IndexEncoding.expiryOfValue(value) >= now) {
            sids.add(IndexEncoding.sidOfUserIndexField(field));
          }
        });
    return List.copyOf(sids);
  }

  @Override
  public boolean markUserRevokedBefore(String issuer, String sub, Instant notBefore) {
    return markRevokedBefore(keys.userNotBefore(issuer, sub), notBefore);
  }

  @Override
  public boolean markClientRevokedBefore(String issuer, String clientId, Instant notBefore) {
    return markRevokedBefore(keys.clientNotBefore(issuer, clientId), notBefore);
  }

  /**
   * Keeps the latest marker, atomically (revoked_before.lua): a delayed older revocation must not
   * shorten a newer one, also when two revocations race.
   */
  private boolean markRevokedBefore(String key, Instant notBefore) {
    return REVOKED_BEFORE
            .run(
                redis,
                List.of(key),
                List.of(
                    Long.toString(notBefore.toEpochMilli()),
                    Long.toString(tombstoneTtl.toMillis())))
            .toInteger()
        == 1;
  }

  @Override
  public List<SessionRecord> revokeClientSessions(
      String issuer, String clientId, Instant notBefore) {
    List<SessionRecord> revoked = new ArrayList<>();
    long now = clock.millis();
    for (int bucket = 0; bucket < RedisKeys.CLIENT_BUCKETS; bucket++) {
      Response all = redis.execute("HGETALL", keys.clientSessionsBucket(issuer, clientId, bucket));
      forEachPair(
          all,
          (sessionId, value) -> {
            String sid = IndexEncoding.sidOfClientIndexValue(value);
            if (sid == null) {
              return;
            }
            Response result =
                REVOKE_ONE.run(
                    redis,
                    List.of(keys.sid(issuer, sid)),
                    List.of(
                        SidHash.registrationField(clientId, sessionId),
                        Long.toString(now),
                        "revoke",
                        // Whole seconds (SPEC §3.2): a session of the cut's own second is before
                        // it.
                        Long.toString(notBefore.getEpochSecond() * 1000 + 999)));
            if ("revoked".equals(result.get(0).toString())) {
              find(issuer, clientId, sessionId).ifPresent(revoked::add);
            }
          });
    }
    return revoked;
  }

  @Override
  public SessionPage query(SessionQuery query) {
    if (query.sid() != null) {
      return queryBySid(query);
    }
    if (query.sub() != null) {
      return new UserSessionsPager(this, cursorKey.cursors(), query).page();
    }
    return new ClientIndexPager(this, cursorKey.cursors(), query).page();
  }

  /** One sid: one sid hash read per issuer, paged in memory. */
  private SessionPage queryBySid(SessionQuery query) {
    PageCursor cursors = cursorKey.cursors();
    // A forged cursor costs nothing: it is refused before any read.
    cursors.decode(query);
    List<String> issuers = query.issuer() != null ? List.of(query.issuer()) : knownIssuers();
    List<SessionRecord> matches = new ArrayList<>();
    for (String issuer : issuers) {
      readSid(issuer, query.sid()).ifPresent(entries -> matches.addAll(entries.records()));
    }
    List<SessionRecord> filtered =
        matches.stream()
            .filter(r -> query.clientId() == null || query.clientId().equals(r.clientId()))
            .filter(r -> query.sub() == null || query.sub().equals(r.sub()))
            .sorted(RECORD_ORDER)
            .toList();
    return cursors.pageOfSorted(filtered, query);
  }

  /** The order of query results: stable across pages. */
  static final Comparator<SessionRecord> RECORD_ORDER =
      Comparator.comparing(SessionRecord::issuer)
          .thenComparing(SessionRecord::clientId)
          .thenComparing(SessionRecord::sessionId);

  /** Configured issuer aliases, sorted (for queries that name no issuer). */
  List<String> knownIssuers() {
    return issuerAliases;
  }

  List<String> clientsOf(String issuer) {
    Response members = redis.execute("SMEMBERS", keys.clients(issuer));
    List<String> clients = new ArrayList<>();
    if (members != null) {
      members.forEach(m -> clients.add(m.toString()));
    }
    clients.sort(Comparator.naturalOrder());
    return clients;
  }

  /** One client index bucket as {@code sessionId -> sid}, sorted by session id (one call). */
  TreeMap<String, String> bucketIndex(String issuer, String clientId, int bucket) {
    Response all = redis.execute("HGETALL", keys.clientSessionsBucket(issuer, clientId, bucket));
    TreeMap<String, String> sidBySession = new TreeMap<>();
    forEachPair(
        all,
        (sessionId, value) -> {
          String sid = IndexEncoding.sidOfClientIndexValue(value);
          if (sid != null) {
            sidBySession.put(sessionId, sid);
          }
        });
    return sidBySession;
  }

  /** One registration from its sid hash (one call); empty once gone or expired. */
  Optional<SessionRecord> readRegistration(
      String issuer, String sid, String clientId, String sessionId) {
    return readSid(issuer, sid).flatMap(entries -> entries.find(clientId, sessionId));
  }

  /** The registrations stored under one sid, without expired ones. */
  Optional<SidEntries> readSid(String issuer, String sid) {
    Response all = redis.execute("HGETALL", keys.sid(issuer, sid));
    if (all == null || all.size() == 0) {
      return Optional.empty();
    }
    String[] sub = {null};
    List<String[]> raw = new ArrayList<>();
    forEachPair(
        all,
        (field, value) -> {
          if (field.equals(SidHash.SUB_FIELD)) {
            sub[0] = IndexEncoding.idOfStored(value);
          } else if (SidHash.isRegistrationField(field)) {
            raw.add(new String[] {field, value});
          }
        });
    long now = clock.millis();
    List<SessionRecord> records = new ArrayList<>();
    for (String[] entry : raw) {
      registration(issuer, sid, sub[0], entry[0], entry[1], now).ifPresent(records::add);
    }
    return Optional.of(new SidEntries(sub[0], records));
  }

  /**
   * A registration from its sid-hash field and value ({@link SidHash}); empty once expired. Its
   * user is its own claim, else the sid's verified user ({@link SidHash.Registration#user}).
   */
  private static Optional<SessionRecord> registration(
      String issuer, String sid, String verifiedSub, String field, String value, long now) {
    SidHash.Registration stored = SidHash.Registration.parse(value);
    if (stored.expiresAtMillis() < now) {
      return Optional.empty();
    }
    return Optional.of(
        new SessionRecord(
            issuer,
            SidHash.clientOfField(field),
            SidHash.sessionOfField(field),
            sid,
            stored.user(verifiedSub),
            Instant.ofEpochMilli(stored.createdAtMillis()),
            Instant.ofEpochMilli(stored.expiresAtMillis()),
            stored.revoked() ? SessionStatus.REVOKED : SessionStatus.ACTIVE,
            stored.revoked() ? Instant.ofEpochMilli(stored.revokedAtMillis()) : null));
  }

  /** What one sid hash holds. */
  record SidEntries(String sub, List<SessionRecord> records) {

    Optional<SessionRecord> find(String clientId, String sessionId) {
      return records.stream()
          .filter(r -> r.clientId().equals(clientId) && r.sessionId().equals(sessionId))
          .findFirst();
    }
  }

  /**
   * HGETALL answers a flat field/value array (the client speaks RESP2, see application.properties).
   */
  private static void forEachPair(Response flatPairs, BiConsumer<String, String> action) {
    if (flatPairs == null) {
      return;
    }
    for (int i = 0; i + 1 < flatPairs.size(); i += 2) {
      action.accept(flatPairs.get(i).toString(), flatPairs.get(i + 1).toString());
    }
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
