package io.sessionbroker.broker.reconcile;

import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.store.RedisKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;

/**
 * One replica at a time reconciles an issuer: every replica runs the schedule, but only the one
 * that takes the issuer's lease (SET NX PX) asks Keycloak, so Keycloak sees the load once, not once
 * per replica. A lease simply expires; a replica that dies leaves it to the next run.
 */
@ApplicationScoped
public class ReconciliationLease {

  private final RedisDataSource redis;
  private final RedisKeys keys;
  private final String holder = UUID.randomUUID().toString();

  ReconciliationLease(RedisDataSource redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Takes the issuer's lease for {@code duration} unless another replica holds it. */
  public boolean tryAcquire(String alias, Duration duration) {
    return redis.execute(
            "SET",
            keys.reconciliationLease(alias),
            holder,
            "NX",
            "PX",
            Long.toString(Math.max(1, duration.toMillis())))
        != null;
  }
}
