package io.sessionbroker.broker.topology;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisSentinelSetup;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.Map;

/** A real Sentinel setup (master, replica, Sentinel) and a test issuer; broker in sentinel mode. */
public class SentinelTestResources implements QuarkusTestResourceLifecycleManager {

  private RedisSentinelSetup sentinel;
  private TestIssuer issuer;

  @Override
  public Map<String, String> start() {
    sentinel = RedisSentinelSetup.start();
    issuer = TestIssuer.start("test");
    return Map.of(
        "quarkus.redis.client-type",
        "sentinel",
        "quarkus.redis.hosts",
        "redis://127.0.0.1:" + sentinel.sentinelPort(),
        "quarkus.redis.master-name",
        RedisSentinelSetup.MASTER_NAME,
        "quarkus.redis.role",
        "master",
        "session-broker.issuers.test.url",
        issuer.url(),
        "session-broker.outbox.directory",
        "target/outbox-sentinel-" + sentinel.sentinelPort(),
        "session-broker.outbox.replay-interval",
        "200ms");
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(sentinel, new TestInjector.MatchesType(RedisSentinelSetup.class));
    injector.injectIntoFields(
        issuer, new TestInjector.AnnotatedAndMatchesType(InjectTestIssuer.class, TestIssuer.class));
  }

  @Override
  public void stop() {
    if (issuer != null) {
      issuer.close();
    }
    if (sentinel != null) {
      sentinel.close();
    }
  }
}
