package io.sessionbroker.broker.reconcile;

import io.sessionbroker.broker.store.RedisKeys;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The key names of an issuer's user index buckets ({@code sb:us:{<alias>:<bucket>}}).
 *
 * <p>{@link RedisKeys} names a bucket only through a user in it ({@link
 * RedisKeys#userSessions(String, String)}), and key names must come from {@code RedisKeys} alone.
 * So the names are collected by asking it for made-up user ids until {@link RedisKeys#BUCKETS}
 * distinct names have turned up: about 7,500 CRC32s, once per issuer. Correct whatever the hash,
 * and it stays in step with any change of the layout. Becomes one call once {@code RedisKeys} has a
 * {@code userSessionsBucket(alias, bucket)}.
 */
final class UserIndexBuckets {

  /** Far more than a uniform hash ever needs for 1024 buckets (expected ~7,500). */
  private static final int MAX_PROBES = 10_000_000;

  private final RedisKeys keys;
  private final Map<String, List<String>> byAlias = new ConcurrentHashMap<>();

  UserIndexBuckets(RedisKeys keys) {
    this.keys = keys;
  }

  /** Every bucket key of the issuer, sorted. */
  List<String> of(String alias) {
    return byAlias.computeIfAbsent(alias, this::collect);
  }

  private List<String> collect(String alias) {
    TreeSet<String> names = new TreeSet<>();
    for (int probe = 0; names.size() < RedisKeys.BUCKETS; probe++) {
      if (probe == MAX_PROBES) {
        throw new IllegalStateException(
            "found only " + names.size() + " of " + RedisKeys.BUCKETS + " user index buckets");
      }
      names.add(keys.userSessions(alias, "reconcile-probe-" + probe));
    }
    return List.copyOf(names);
  }
}
