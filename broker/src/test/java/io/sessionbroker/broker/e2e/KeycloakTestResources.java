package io.sessionbroker.broker.e2e;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import io.sessionbroker.testsupport.keycloak.KeycloakServer;
import java.util.Map;

/**
 * A real Keycloak (from its Maven Central distribution) with the demo realm, whose clients'
 * back-channel logout URL and Admin URL point at the broker under test, plus a real Redis. The
 * broker's test port is chosen here so Keycloak can be told where the broker listens.
 */
public class KeycloakTestResources implements QuarkusTestResourceLifecycleManager {

  /** Base URL of the example apps in the realm (never called: redirects are captured). */
  static final String APP1_URL = "http://127.0.0.1:18081";

  static final String APP2_URL = "http://127.0.0.1:18082";

  private RedisServer redis;
  private KeycloakServer keycloak;

  @Override
  public Map<String, String> start() {
    int brokerPort = FreePorts.next();
    redis = RedisServer.start();
    keycloak =
        KeycloakServer.start(
            KeycloakRealm.demo()
                .brokerUrl("http://127.0.0.1:" + brokerPort)
                .app1Url(APP1_URL)
                .app2Url(APP2_URL)
                .build());
    return Map.of(
        "quarkus.http.test-port",
        Integer.toString(brokerPort),
        "quarkus.redis.hosts",
        redis.uri(),
        "session-broker.issuers.demo.url",
        keycloak.issuerUrl(KeycloakRealm.DEMO),
        "session-broker.outbox.directory",
        "target/outbox-keycloak-" + brokerPort,
        "session-broker.issuers.demo.admin-client-id",
        KeycloakRealm.SESSION_BROKER,
        "session-broker.issuers.demo.admin-client-secret",
        KeycloakRealm.SESSION_BROKER_SECRET,
        "session-broker.issuers.demo.operator-client-id",
        KeycloakRealm.OPERATOR_CLIENT,
        "session-broker.issuers.demo.operator-client-secret",
        KeycloakRealm.OPERATOR_SECRET);
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
