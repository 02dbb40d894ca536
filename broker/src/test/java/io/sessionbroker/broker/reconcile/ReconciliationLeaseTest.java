package io.sessionbroker.broker.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The lease that lets one replica at a time reconcile an issuer, on real Redis. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class ReconciliationLeaseTest {

  @Inject ReconciliationLease lease;
  @Inject io.quarkus.redis.datasource.RedisDataSource redis;
  @Inject io.sessionbroker.broker.store.RedisKeys keys;

  @Test
  void whenTheLeaseIsHeldThenAnotherReplicaCannotTakeItUntilItExpires() throws Exception {
    String alias = "lease-" + UUID.randomUUID();
    ReconciliationLease otherReplica = new ReconciliationLease(redis, keys);

    // Long enough that a loaded machine cannot let it lapse between the first two calls.
    Duration duration = Duration.ofSeconds(3);
    assertThat(lease.tryAcquire(alias, duration)).isTrue();
    assertThat(otherReplica.tryAcquire(alias, duration)).isFalse();
    Thread.sleep(duration.plusMillis(100).toMillis());
    assertThat(otherReplica.tryAcquire(alias, duration)).isTrue();
  }
}
