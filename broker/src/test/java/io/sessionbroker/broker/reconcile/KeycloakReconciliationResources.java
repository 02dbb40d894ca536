package io.sessionbroker.broker.reconcile;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.broker.e2e.InjectKeycloak;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import io.sessionbroker.testsupport.keycloak.KeycloakServer;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Keycloak with the demo realm and a real Redis, for the reconciliation job, which runs
 * every second with the realm's {@code session-broker} service account.
 *
 * <p>The realm's clients point their back-channel logout URL and Admin URL at loopback port 1,
 * where nothing listens: Keycloak's logout calls fail at once and never reach the broker under
 * test. So an SSO session the test ends in Keycloak (admin "sign out" of one session, a deleted
 * user) ends exactly as an expired one does for the broker, silently, and only the reconciliation
 * job can notice. Keycloak removes the session whether or not its logout calls succeed.
 */
public class KeycloakReconciliationResources implements QuarkusTestResourceLifecycleManager {

  /** Base URL of the demo apps (never called: the sign-in stops at the redirect). */
  static final String APP1_URL = "http://127.0.0.1:18081";

  static final String APP2_URL = "http://127.0.0.1:18082";

  /** Where Keycloak believes the broker is: nothing listens on port 1. */
  static final String UNREACHABLE_BROKER_URL = "http://127.0.0.1:1";

  private RedisServer redis;
  private KeycloakServer keycloak;

  @Override
  public Map<String, String> start() {
    redis = RedisServer.start();
    keycloak =
        KeycloakServer.start(
            KeycloakRealm.demo()
                .brokerUrl(UNREACHABLE_BROKER_URL)
                .app1Url(APP1_URL)
                .app2Url(APP2_URL)
                .build());
    Map<String, String> config = new HashMap<>();
    config.put("quarkus.redis.hosts", redis.uri());
    config.put("session-broker.issuers.demo.url", keycloak.issuerUrl(KeycloakRealm.DEMO));
    config.put("session-broker.issuers.demo.admin-client-id", KeycloakRealm.SESSION_BROKER);
    config.put(
        "session-broker.issuers.demo.admin-client-secret", KeycloakRealm.SESSION_BROKER_SECRET);
    config.put("session-broker.reconciliation.enabled", "true");
    config.put("session-broker.reconciliation.interval", "1s");
    config.put("session-broker.outbox.directory", "target/outbox-reconcile-kc-" + redis.port());
    return config;
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        redis, new TestInjector.AnnotatedAndMatchesType(InjectRedis.class, RedisServer.class));
    injector.injectIntoFields(
        keycloak,
        new TestInjector.AnnotatedAndMatchesType(InjectKeycloak.class, KeycloakServer.class));
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
