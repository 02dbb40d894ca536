package io.sessionbroker.broker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisCluster;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The broker on a real 3-master Redis Cluster: keys spread over slots, sharded pub/sub
 * (SPUBLISH/SSUBSCRIBE), and the client library in cluster mode receives every revocation once; a
 * resent logout token is known as a replay (its jti marker lives in the sid's slot).
 */
@QuarkusTest
@WithTestResource(ClusterTestResources.class)
class RedisClusterTest {

  private static final int LOGOUTS = 30;

  @InjectTestIssuer TestIssuer issuer;
  RedisCluster cluster;
  @Inject MeterRegistry metrics;

  private double replayedTokens() {
    return metrics
        .counter("sessionbroker.logout.tokens", "outcome", "replayed", "rule", "none")
        .count();
  }

  @Test
  void whenSessionsAreRegisteredAndLoggedOutOnAClusterThenEveryRevocationIsDeliveredOnce() {
    try (DeliveryProbe probe =
        new DeliveryProbe(
            issuer, options -> options.redisUri(cluster.nodes().get(0).uri()).cluster(true))) {
      List<String> sids = new ArrayList<>();
      for (int i = 0; i < LOGOUTS; i++) {
        sids.add(probe.register());
      }
      String firstToken = probe.logoutToken(sids.get(0));
      assertThat(probe.post(firstToken)).isEqualTo(200);
      for (String sid : sids.subList(1, LOGOUTS)) {
        assertThat(probe.logout(sid)).isEqualTo(200);
      }
      double replayed = replayedTokens();
      assertThat(probe.post(firstToken)).as("the first token, sent again").isEqualTo(200);
      assertThat(replayedTokens())
          .as("known by its jti marker, in the sid's slot")
          .isEqualTo(replayed + 1);
      probe.awaitDelivery("Redis Cluster (3 masters)", sids);
      assertThat(sids).allSatisfy(sid -> assertThat(probe.status(sid)).isEqualTo("revoked"));
    }
  }
}
