package io.sessionbroker.broker.store;

import static io.sessionbroker.broker.store.RedisReplies.forEachPair;

import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.session.SessionPage;
import io.sessionbroker.broker.session.SessionQuery;
import io.sessionbroker.broker.session.SessionRecord;
import io.sessionbroker.broker.session.SessionStatus;
import io.vertx.mutiny.redis.client.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The reads of the session registry ({@link RedisSessionStore}): one registration, one sid hash,
 * the sids of a user, and queries, which page over the indexes with {@link ClientIndexPager} and
 * {@link UserSessionsPager} (they read through this class). Blocking calls, for worker threads.
 */
final class RedisSessionReads {

  /** The order of query results: stable across pages. */
  static final Comparator<SessionRecord> RECORD_ORDER =
      Comparator.comparing(SessionRecord::issuer)
          .thenComparing(SessionRecord::clientId)
          .thenComparing(SessionRecord::sessionId);

  private final RedisDataSource redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final List<String> issuerAliases;
  private final CursorSigningKey cursorKey;

  RedisSessionReads(
      RedisDataSource redis,
      RedisKeys keys,
      Clock clock,
      List<String> issuerAliases,
      CursorSigningKey cursorKey) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
    this.issuerAliases = List.copyOf(issuerAliases);
    this.cursorKey = cursorKey;
  }

  /** One registration, found through the client index, then read in its sid hash. */
  Optional<SessionRecord> find(String issuer, String clientId, String sessionId) {
    return sidOf(issuer, clientId, sessionId)
        .flatMap(sid -> readSid(issuer, sid))
        .flatMap(entries -> entries.find(clientId, sessionId));
  }

  /** The sid of a registration, from the client index. */
  Optional<String> sidOf(String issuer, String clientId, String sessionId) {
    Response entry =
        redis.execute("HGET", keys.clientSessions(issuer, clientId, sessionId), sessionId);
    if (entry == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(IndexEncoding.sidOfClientIndexValue(entry.toString()));
  }

  /** The unexpired sids the user index holds for a user. */
  List<String> sidsOfUser(String issuer, String sub) {
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

  SessionPage query(SessionQuery query) {
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
  static Optional<SessionRecord> registration(
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
}
