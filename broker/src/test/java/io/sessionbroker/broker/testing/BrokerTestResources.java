package io.sessionbroker.broker.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * Real peers for {@code @QuarkusTest}s: a {@code redis-server} on a free loopback port and two
 * in-test OpenID issuers, {@code test} (no client allow-list) and {@code other} (allow-list {@code
 * app1}). Use with {@code @WithTestResource(BrokerTestResources.class)}; inject with {@link
 * InjectRedis} and {@link InjectTestIssuer}.
 */
public class BrokerTestResources implements QuarkusTestResourceLifecycleManager {

  private RedisServer redis;
  private TestIssuer testIssuer;
  private TestIssuer otherIssuer;

  @Override
  public Map<String, String> start() {
    redis = RedisServer.start();
    testIssuer = TestIssuer.start("test");
    otherIssuer = TestIssuer.start("other");
    return Map.of(
        "quarkus.redis.hosts", redis.uri(),
        "session-broker.issuers.test.url", testIssuer.url(),
        "session-broker.issuers.other.url", otherIssuer.url(),
        "session-broker.issuers.other.clients", "app1",
        "session-broker.jwks.min-refresh-interval", "1s");
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        redis, new TestInjector.AnnotatedAndMatchesType(InjectRedis.class, RedisServer.class));
    injector.injectIntoFields(testIssuer, new ByIssuerName("test"));
    injector.injectIntoFields(otherIssuer, new ByIssuerName("other"));
  }

  @Override
  public void stop() {
    if (redis != null) {
      redis.close();
    }
    if (testIssuer != null) {
      testIssuer.close();
    }
    if (otherIssuer != null) {
      otherIssuer.close();
    }
  }

  private record ByIssuerName(String name) implements java.util.function.Predicate<Field> {
    @Override
    public boolean test(Field field) {
      InjectTestIssuer annotation = field.getAnnotation(InjectTestIssuer.class);
      return annotation != null
          && annotation.value().equals(name)
          && field.getType().isAssignableFrom(TestIssuer.class);
    }
  }
}
