package io.sessionbroker.broker.reconcile;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.testsupport.RedisServer;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Redis, a {@link StubKeycloak} for issuer {@code stub}, and issuer {@code down} whose
 * Keycloak is unreachable (loopback port 1, where nothing listens). Both have admin credentials;
 * the schedule is off, so only the test's {@code runOnce()} calls run.
 */
public class StubKeycloakResources implements QuarkusTestResourceLifecycleManager {

  /** Issuer whose Keycloak never answers. */
  static final String UNREACHABLE_ISSUER_URL = "http://127.0.0.1:1/realms/down";

  private RedisServer redis;
  private StubKeycloak keycloak;

  @Override
  public Map<String, String> start() {
    redis = RedisServer.start();
    keycloak = StubKeycloak.start("stub");
    Map<String, String> config = new HashMap<>();
    config.put("quarkus.redis.hosts", redis.uri());
    config.put("session-broker.issuers.stub.url", keycloak.issuerUrl());
    config.put("session-broker.issuers.stub.admin-client-id", "session-broker");
    config.put("session-broker.issuers.stub.admin-client-secret", "stub-secret");
    config.put("session-broker.issuers.down.url", UNREACHABLE_ISSUER_URL);
    config.put("session-broker.issuers.down.admin-client-id", "session-broker");
    config.put("session-broker.issuers.down.admin-client-secret", "down-secret");
    config.put("session-broker.jwks.timeout", "5s");
    config.put("session-broker.reconciliation.enabled", "false");
    config.put("session-broker.reconciliation.max-requests-per-second", "1000");
    config.put("session-broker.outbox.directory", "target/outbox-reconcile-stub-" + redis.port());
    return config;
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        redis, new TestInjector.AnnotatedAndMatchesType(InjectRedis.class, RedisServer.class));
    injector.injectIntoFields(
        keycloak,
        new TestInjector.AnnotatedAndMatchesType(InjectStubKeycloak.class, StubKeycloak.class));
  }

  @Override
  public void stop() {
    if (keycloak != null) {
      keycloak.close();
    }
    if (redis != null) {
      redis.close();
    }
  }
}
