package io.sessionbroker.broker.outbox;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.List;
import java.util.Map;

/**
 * Like {@link io.sessionbroker.broker.testing.BrokerTestResources}, but Redis keeps its data on
 * disk (AOF, fsync always) so it can be stopped and restarted mid-test like a real outage, and the
 * outbox journal gets a folder of its own.
 */
public class OutageTestResources implements QuarkusTestResourceLifecycleManager {

  private RedisServer redis;
  private TestIssuer issuer;

  @Override
  public Map<String, String> start() {
    redis = RedisServer.start(List.of("--appendonly", "yes", "--appendfsync", "always"));
    issuer = TestIssuer.start("test");
    return Map.of(
        "quarkus.redis.hosts",
        redis.uri(),
        "session-broker.issuers.test.url",
        issuer.url(),
        "session-broker.outbox.directory",
        "target/outbox-outage-" + redis.port(),
        "session-broker.outbox.replay-interval",
        "200ms",
        "quarkus.redis.timeout",
        "1s");
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        redis, new TestInjector.AnnotatedAndMatchesType(InjectRedis.class, RedisServer.class));
    injector.injectIntoFields(
        issuer, new TestInjector.AnnotatedAndMatchesType(InjectTestIssuer.class, TestIssuer.class));
  }

  @Override
  public void stop() {
    if (redis != null) {
      redis.close();
    }
    if (issuer != null) {
      issuer.close();
    }
  }
}
