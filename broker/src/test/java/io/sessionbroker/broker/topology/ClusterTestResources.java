package io.sessionbroker.broker.topology;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisCluster;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.Map;

/** A real 3-master Redis Cluster and a test issuer; the broker runs in cluster mode. */
public class ClusterTestResources implements QuarkusTestResourceLifecycleManager {

  private RedisCluster cluster;
  private TestIssuer issuer;

  @Override
  public Map<String, String> start() {
    cluster = RedisCluster.start(3);
    issuer = TestIssuer.start("test");
    return Map.of(
        "quarkus.redis.client-type",
        "cluster",
        "quarkus.redis.hosts",
        cluster.uris(),
        "session-broker.issuers.test.url",
        issuer.url(),
        "session-broker.outbox.directory",
        "target/outbox-cluster-" + cluster.nodes().get(0).port());
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(cluster, new TestInjector.MatchesType(RedisCluster.class));
    injector.injectIntoFields(
        issuer, new TestInjector.AnnotatedAndMatchesType(InjectTestIssuer.class, TestIssuer.class));
  }

  @Override
  public void stop() {
    if (issuer != null) {
      issuer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }
}
