package io.sessionbroker.broker.store;

import static io.sessionbroker.broker.store.RedisKeys.SEP;
import static io.sessionbroker.broker.store.RedisReplies.emptyToNull;

import io.sessionbroker.broker.session.NewRegistration;
import io.sessionbroker.broker.session.SessionRecord;
import io.sessionbroker.broker.session.SessionStatus;
import io.sessionbroker.broker.session.SessionStore.RegisterResult;
import io.sessionbroker.broker.session.SessionStore.RegisterStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registration path of the session registry ({@link RedisSessionStore}), without holding the
 * calling thread: every Redis call is sent at once and the next one chained on its reply, which
 * arrives on the Redis client's event loop.
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
final class RedisRegistrations {

  private static final LuaScript REGISTER = LuaScript.load("register");
  private static final LuaScript INDEX_PUT = LuaScript.load("index_put");

  private final RedisCalls calls;
  private final RedisKeys keys;
  private final Clock clock;
  private final RedisRevocations revocations;
  private final RegistrationHeadroom headroom;
  private final int maxPerSid;
  private final Set<String> knownClients = ConcurrentHashMap.newKeySet();

  RedisRegistrations(
      RedisCalls calls,
      RedisKeys keys,
      Clock clock,
      RedisRevocations revocations,
      RegistrationHeadroom headroom,
      int maxPerSid) {
    this.calls = calls;
    this.maxPerSid = maxPerSid;
    this.keys = keys;
    this.clock = clock;
    this.revocations = revocations;
    this.headroom = headroom;
  }

  /**
   * Two round trips (the sid hash, then the index writes with the marker reads), a third only when
   * a marker refuses the session; in a cluster the writes and the reads are one round trip each.
   * Fails with {@link io.sessionbroker.broker.session.RegistryFullException}, before any Redis
   * call, when Redis has no room left for registrations ({@link RegistrationHeadroom}).
   */
  Uni<RegisterResult> register(NewRegistration reg) {
    try {
      headroom.admit(reg);
    } catch (RuntimeException refused) {
      return Uni.createFrom().failure(refused);
    }
    long now = clock.millis();
    RedisCall sidWrite =
        RedisCall.script(
            REGISTER,
            List.of(keys.sid(reg.issuer(), reg.sid())),
            RegistryScriptArguments.register(
                reg.clientId(),
                reg.sessionId(),
                reg.sub(),
                now,
                reg.expiresAt().toEpochMilli(),
                // An unknown start: any logout of the sid refuses (see NewRegistration).
                reg.issuedAt(),
                reg.subVerified(),
                maxPerSid));
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
      case "too_many_for_sid":
        return Uni.createFrom().item(new RegisterResult(RegisterStatus.TOO_MANY_FOR_SID, null));
      default:
        break;
    }
    long expires = reg.expiresAt().toEpochMilli();
    // Index writes, then the "revoked before" markers: the marker reads must run after the index
    // writes (see the class comment), so they follow them in one pipeline (one round trip), or in
    // a cluster, where they live on other nodes, are sent once the writes are answered.
    List<RedisCall> writes = new ArrayList<>(3);
    if (knownClients.add(reg.issuer() + SEP + reg.clientId())) {
      // Once per client and process: the set only grows, so repeating SADD buys nothing.
      writes.add(RedisCall.command("SADD", keys.clients(reg.issuer()), reg.clientId()));
    }
    int clientIndexWrite = writes.size();
    writes.add(
        RedisCall.script(
            INDEX_PUT,
            List.of(keys.clientSessions(reg.issuer(), reg.clientId(), reg.sessionId())),
            RegistryScriptArguments.clientIndexPut(reg.sessionId(), reg.sid(), expires, now)));
    List<RedisCall> markerReads = new ArrayList<>(2);
    if (sub != null) {
      writes.add(userIndexCall(reg.issuer(), sub, reg.sid(), expires, now));
      markerReads.add(RedisCall.command("GET", keys.userNotBefore(reg.issuer(), sub)));
    }
    markerReads.add(RedisCall.command("GET", keys.clientNotBefore(reg.issuer(), reg.clientId())));
    Instant created = Instant.ofEpochMilli(Long.parseLong(result.get(1).toString()));
    Instant start = reg.issuedAt() != null ? reg.issuedAt() : Instant.ofEpochMilli(now);
    int writeCount = writes.size();
    return readAfterWrites(writes, markerReads)
        .flatMap(
            replies -> {
              headroom.recordClientBucket(
                  reg.issuer(),
                  reg.clientId(),
                  replies.get(clientIndexWrite).toLong(),
                  RedisKeys.CLIENT_BUCKETS);
              List<Response> markers = replies.subList(writeCount, replies.size());
              if (anyRevokedBefore(markers, start)) {
                // A "revoked before" marker covers the registration just written.
                return revocations
                    .revokeOneAsync(reg.issuer(), reg.sid(), reg.clientId(), reg.sessionId(), now)
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

  private RedisCall userIndexCall(String issuer, String sub, String sid, long expires, long now) {
    return RedisCall.script(
        INDEX_PUT,
        List.of(keys.userSessions(issuer, sub)),
        RegistryScriptArguments.userIndexPut(sid, sub, expires, now));
  }

  /** Runs the writes, then the reads once the writes ran; the writes' replies, then the reads'. */
  private Uni<List<Response>> readAfterWrites(List<RedisCall> writes, List<RedisCall> reads) {
    if (calls.cluster()) {
      return calls
          .sendAll(writes)
          .flatMap(
              written ->
                  calls
                      .sendAll(reads)
                      .map(
                          read -> {
                            List<Response> all = new ArrayList<>(written.size() + read.size());
                            all.addAll(written);
                            all.addAll(read);
                            return all;
                          }));
    }
    List<RedisCall> all = new ArrayList<>(writes.size() + reads.size());
    all.addAll(writes);
    all.addAll(reads);
    return calls.pipelineAsync(all);
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
}
