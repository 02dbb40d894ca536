package io.sessionbroker.broker.store;

import static io.sessionbroker.broker.store.RedisReplies.emptyToNull;
import static io.sessionbroker.broker.store.RedisReplies.forEachPair;

import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.session.SessionRecord;
import io.sessionbroker.broker.session.SessionStore.GuardedSidRevocation;
import io.sessionbroker.broker.session.SessionStore.SidRevocation;
import io.sessionbroker.broker.session.SessionStore.UserLogout;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The revocations of the session registry ({@link RedisSessionStore}): of one registration ({@code
 * lua/revoke_one.lua}), of an SSO session or its user's part of it ({@code lua/revoke_sid.lua},
 * which writes the sid's tombstone), the "revoked before" markers of a user or client ({@code
 * lua/revoked_before.lua}) and a client's registrations. {@link #revokeSidReadingJti} and {@link
 * #revokeOneAsync} hold no thread (the back-channel logout and the registration paths run them on
 * the event loop); the others block, for worker threads.
 */
final class RedisRevocations {

  private static final LuaScript REVOKE_SID = LuaScript.load("revoke_sid");
  private static final LuaScript REVOKE_ONE = LuaScript.load("revoke_one");
  private static final LuaScript REVOKED_BEFORE = LuaScript.load("revoked_before");
  private static final LuaScript USER_LOGOUT = LuaScript.load("user_logout");

  private final RedisDataSource redis;
  private final RedisCalls calls;
  private final RedisKeys keys;
  private final Clock clock;
  private final Duration tombstoneTtl;
  private final Duration logoutFanOutWindow;
  private final RedisSessionReads reads;

  RedisRevocations(
      RedisDataSource redis,
      RedisCalls calls,
      RedisKeys keys,
      Clock clock,
      Duration tombstoneTtl,
      Duration logoutFanOutWindow,
      RedisSessionReads reads) {
    this.redis = redis;
    this.calls = calls;
    this.keys = keys;
    this.clock = clock;
    this.tombstoneTtl = tombstoneTtl;
    this.logoutFanOutWindow = logoutFanOutWindow;
    this.reads = reads;
  }

  boolean delete(String issuer, String clientId, String sessionId) {
    Optional<String> outcome = changeOne(issuer, clientId, sessionId, "delete", clock.millis());
    redis.execute("HDEL", keys.clientSessions(issuer, clientId, sessionId), sessionId);
    return outcome.filter("deleted"::equals).isPresent();
  }

  Optional<SessionRecord> revokeOne(String issuer, String clientId, String sessionId, Instant now) {
    return changeOne(issuer, clientId, sessionId, "revoke", now.toEpochMilli())
        .filter("revoked"::equals)
        .flatMap(revoked -> reads.find(issuer, clientId, sessionId));
  }

  /**
   * Revokes a registration whose sid is known, without waiting: revoke_one.lua on its sid hash, as
   * {@link #revokeOne} does after finding the sid through the client index. Its reply: {@code
   * {status}}.
   */
  Uni<Response> revokeOneAsync(
      String issuer, String sid, String clientId, String sessionId, long nowMillis) {
    return calls.send(
        RedisCall.script(
            REVOKE_ONE,
            List.of(keys.sid(issuer, sid)),
            revokeOneArguments(clientId, sessionId, nowMillis, "revoke", 0)));
  }

  /** Runs revoke_one.lua on a registration found through the client index; its status. */
  private Optional<String> changeOne(
      String issuer, String clientId, String sessionId, String mode, long nowMillis) {
    return reads
        .sidOf(issuer, clientId, sessionId)
        .map(
            sid ->
                REVOKE_ONE
                    .run(
                        redis,
                        List.of(keys.sid(issuer, sid)),
                        revokeOneArguments(clientId, sessionId, nowMillis, mode, 0))
                    .get(0)
                    .toString());
  }

  /**
   * The ARGV of revoke_one.lua.
   *
   * @param mode {@code revoke} or {@code delete}
   * @param notBeforeMillis revoke only a registration created at or before it, epoch ms; 0 for any
   */
  private static List<String> revokeOneArguments(
      String clientId, String sessionId, long nowMillis, String mode, long notBeforeMillis) {
    return List.of(
        SidHash.registrationField(clientId, sessionId),
        Long.toString(nowMillis),
        mode,
        Long.toString(notBeforeMillis));
  }

  SidRevocation revokeSid(
      String issuer,
      String sid,
      String onlyClientId,
      String audience,
      Instant now,
      Instant revocationTime) {
    RedisCall call =
        revokeSidCall(issuer, sid, onlyClientId, audience, now, revocationTime, "", null);
    return sidRevocation(issuer, sid, calls.await(calls.send(call)));
  }

  SidRevocation revokeUserInSid(
      String issuer,
      String sid,
      String sub,
      String onlyClientId,
      Instant now,
      Instant revocationTime) {
    RedisCall call = revokeSidCall(issuer, sid, onlyClientId, null, now, revocationTime, sub, null);
    return sidRevocation(issuer, sid, calls.await(calls.send(call)));
  }

  /**
   * One revoke_sid.lua run with the token's jti marker as its second key (the sid's slot, see
   * {@link RedisKeys#processedJti(String, String, String)}): one command in any topology.
   */
  Uni<GuardedSidRevocation> revokeSidReadingJti(
      String issuer,
      String sid,
      String onlyClientId,
      String audience,
      Instant now,
      Instant revocationTime,
      String jti) {
    RedisCall call =
        revokeSidCall(
            issuer,
            sid,
            onlyClientId,
            audience,
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

  /**
   * revoke_sid.lua, skipped when {@code jtiKey} (null: none) marks its token processed; {@code
   * onlySub} "" for the whole SSO session, {@code audience} null for no logout token's client.
   */
  private RedisCall revokeSidCall(
      String issuer,
      String sid,
      String onlyClientId,
      String audience,
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
            IndexEncoding.storedId(onlySub),
            audience == null ? "" : audience,
            Long.toString(logoutFanOutWindow.toMillis())));
  }

  private SidRevocation sidRevocation(String issuer, String sid, Response result) {
    Instant revokedAt = Instant.ofEpochMilli(Long.parseLong(result.get(0).toString()));
    String sub = emptyToNull(IndexEncoding.idOfStored(result.get(1).toString()));
    List<SessionRecord> affected = new ArrayList<>();
    long readAt = clock.millis();
    forEachPair(
        result.get(2),
        (field, value) ->
            RedisSessionReads.registration(issuer, sid, sub, field, value, readAt)
                .ifPresent(affected::add));
    long generation = result.size() > 3 ? Long.parseLong(result.get(3).toString()) : 0;
    return new SidRevocation(sub, revokedAt, affected, generation);
  }

  /** user_logout.lua on the user's logout record: which logout of the user this one is. */
  UserLogout recordUserLogout(
      String issuer,
      String sub,
      String audience,
      String origin,
      Instant now,
      Instant revocationTime) {
    Response result =
        USER_LOGOUT.run(
            redis,
            List.of(keys.userLogout(issuer, sub)),
            List.of(
                Long.toString(now.toEpochMilli()),
                Long.toString(revocationTime.getEpochSecond()),
                audience == null ? "" : audience,
                origin == null ? "" : origin,
                Long.toString(logoutFanOutWindow.toMillis()),
                Long.toString(tombstoneTtl.toMillis())));
    return new UserLogout(
        Instant.ofEpochMilli(Long.parseLong(result.get(0).toString())),
        Long.parseLong(result.get(1).toString()));
  }

  boolean markUserRevokedBefore(String issuer, String sub, Instant notBefore) {
    return markRevokedBefore(keys.userNotBefore(issuer, sub), notBefore);
  }

  boolean markClientRevokedBefore(String issuer, String clientId, Instant notBefore) {
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

  List<SessionRecord> revokeClientSessions(String issuer, String clientId, Instant notBefore) {
    List<SessionRecord> revoked = new ArrayList<>();
    long now = clock.millis();
    // Whole seconds (SPEC §3.2): a session of the cut's own second is before it.
    long createdAtOrBefore = notBefore.getEpochSecond() * 1000 + 999;
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
                    revokeOneArguments(clientId, sessionId, now, "revoke", createdAtOrBefore));
            if ("revoked".equals(result.get(0).toString())) {
              reads.find(issuer, clientId, sessionId).ifPresent(revoked::add);
            }
          });
    }
    return revoked;
  }
}
