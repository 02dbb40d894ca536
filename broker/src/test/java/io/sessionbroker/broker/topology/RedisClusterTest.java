package io.sessionbroker.broker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisCluster;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The broker on a real 3-master Redis Cluster: keys spread over slots, sharded pub/sub
 * (SPUBLISH/SSUBSCRIBE), and the client library in cluster mode receives every revocation once.
 */
@QuarkusTest
@WithTestResource(ClusterTestResources.class)
class RedisClusterTest {

  private static final int LOGOUTS = 30;

  @InjectTestIssuer TestIssuer issuer;
  RedisCluster cluster;

  @Test
  void whenSessionsAreRegisteredAndLoggedOutOnAClusterThenEveryRevocationIsDeliveredOnce() {
    try (DeliveryProbe probe =
        new DeliveryProbe(
            issuer, options -> options.redisUri(cluster.nodes().get(0).uri()).cluster(true))) {
      List<String> sids = new ArrayList<>();
      for (int i = 0; i < LOGOUTS; i++) {
        sids.add(probe.register());
      }
      for (String sid : sids) {
        assertThat(probe.logout(sid)).isEqualTo(200);
      }
      probe.awaitDelivery("Redis Cluster (3 masters)", sids);
      assertThat(sids).allSatisfy(sid -> assertThat(probe.status(sid)).isEqualTo("revoked"));
    }
  }
}
