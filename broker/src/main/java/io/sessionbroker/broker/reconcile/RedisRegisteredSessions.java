package io.sessionbroker.broker.reconcile;

import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.store.IndexEncoding;
import io.sessionbroker.broker.store.RedisKeys;
import io.sessionbroker.broker.store.SidHash;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Lists registered users and their SSO sessions from the user index ({@code
 * sb:us:{<alias>:<bucket>}}, fields {@code <sid>} → {@code <expiry>} and a digest of the sub, read
 * with {@link IndexEncoding}), one bucket at a time.
 *
 * <p>Why the user index, and not {@code SCAN sb:sid:*} or the client index: it is already grouped
 * by user (all of a user's entries sit in the user's one bucket), which is what one Keycloak
 * request per user needs; its {@link RedisKeys#USER_BUCKETS} buckets are ordinary hash-tagged keys,
 * read with {@code HGETALL} in any topology, whereas {@code SCAN} covers one node of a Redis
 * Cluster and also walks tombstones and every other key; and memory stays bounded by one bucket
 * (about 1/8192 of the issuer's users), where the client index spreads a user over clients and
 * buckets and would need a registry-sized map to ask once per user.
 *
 * <p>The index may hold stale entries (it is cleaned lazily) and keeps only a digest of the user,
 * so each {@code sid} is confirmed in its own hash: it must have no logout tombstone, name in
 * {@code !sub} (the user verified from an ID token) the user the index entry names (an index entry
 * written by an app's own claim, or by a registration that then failed with a different user, must
 * never get another user's session revoked), and hold at least one registration that is neither
 * revoked nor expired.
 */
@ApplicationScoped
public class RedisRegisteredSessions implements RegisteredSessions {

  private final RedisDataSource redis;
  private final RedisKeys keys;
  private final UserIndexBuckets buckets;
  private final Clock clock;

  @Inject
  RedisRegisteredSessions(RedisDataSource redis, RedisKeys keys) {
    this(redis, keys, Clock.systemUTC());
  }

  RedisRegisteredSessions(RedisDataSource redis, RedisKeys keys, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.buckets = new UserIndexBuckets(keys);
    this.clock = clock;
  }

  @Override
  public void forEachUser(String alias, Predicate<RegisteredUser> action) {
    for (String bucket : buckets.of(alias)) {
      // The index keeps a digest of the user (IndexEncoding): the user comes from the sid hash.
      Map<String, List<String>> activeSidsBySub = new TreeMap<>();
      liveEntries(bucket)
          .forEach(
              (sid, values) -> {
                String sub = activeUser(alias, sid);
                if (sub != null
                    && values.stream().anyMatch(value -> IndexEncoding.mayBeEntryOf(value, sub))) {
                  activeSidsBySub.computeIfAbsent(sub, user -> new ArrayList<>()).add(sid);
                }
              });
      for (Map.Entry<String, List<String>> user : activeSidsBySub.entrySet()) {
        if (!action.test(new RegisteredUser(user.getKey(), user.getValue()))) {
          return;
        }
      }
    }
  }

  /**
   * The bucket's unexpired entries as sid → values. A sid may be in the bucket twice, written
   * before and after the compact id form.
   */
  private Map<String, List<String>> liveEntries(String bucket) {
    long now = clock.millis();
    Map<String, List<String>> valuesBySid = new TreeMap<>();
    forEachPair(
        redis.execute("HGETALL", bucket),
        (field, value) -> {
          if (IndexEncoding.expiryOfValue(value) >= now) {
            valuesBySid
                .computeIfAbsent(IndexEncoding.sidOfUserIndexField(field), sid -> new ArrayList<>())
                .add(value);
          }
        });
    return valuesBySid;
  }

  /**
   * The sid's verified user ({@code !sub}) when the sid has no logout tombstone and at least one
   * registration that is neither revoked nor expired; else {@code null}.
   */
  private String activeUser(String alias, String sid) {
    Response fields = redis.execute("HGETALL", keys.sid(alias, sid));
    if (fields == null) {
      return null;
    }
    long now = clock.millis();
    String sub = null;
    boolean active = false;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String field = fields.get(i).toString();
      String value = fields.get(i + 1).toString();
      if (field.equals(SidHash.TOMBSTONE_FIELD)) {
        return null;
      } else if (field.equals(SidHash.SUB_FIELD)) {
        sub = IndexEncoding.idOfStored(value);
      } else if (SidHash.isRegistrationField(field) && isActive(value, now)) {
        active = true;
      }
    }
    return active ? sub : null;
  }

  /** Whether a registration value ({@link SidHash.Registration}) is neither revoked nor expired. */
  private static boolean isActive(String value, long now) {
    try {
      SidHash.Registration registration = SidHash.Registration.parse(value);
      return !registration.revoked() && registration.expiresAtMillis() >= now;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** HGETALL answers a flat field/value array (the client speaks RESP2). */
  private static void forEachPair(Response flatPairs, BiConsumer<String, String> action) {
    if (flatPairs == null) {
      return;
    }
    for (int i = 0; i + 1 < flatPairs.size(); i += 2) {
      action.accept(flatPairs.get(i).toString(), flatPairs.get(i + 1).toString());
    }
  }
}
