package io.sessionbroker.broker.reconcile;

import io.sessionbroker.broker.store.RedisKeys;
import java.util.List;
import java.util.stream.IntStream;

/** The key names of an issuer's user index buckets ({@code sb:us:{<alias>:<bucket>}}). */
final class UserIndexBuckets {

  private final RedisKeys keys;

  UserIndexBuckets(RedisKeys keys) {
    this.keys = keys;
  }

  /** Every bucket key of the issuer, in bucket order. */
  List<String> of(String alias) {
    return IntStream.range(0, RedisKeys.USER_BUCKETS)
        .mapToObj(bucket -> keys.userSessionsBucket(alias, bucket))
        .toList();
  }
}
