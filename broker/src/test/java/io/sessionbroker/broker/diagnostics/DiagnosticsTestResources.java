package io.sessionbroker.broker.diagnostics;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.Map;

/**
 * Issuers in four states: {@code test} works; {@code private} is HTTPS with an untrusted
 * certificate; {@code nowhere} has nothing listening; {@code renamed} is reachable but calls itself
 * by another URL.
 */
public class DiagnosticsTestResources implements QuarkusTestResourceLifecycleManager {

  private RedisServer redis;
  private TestIssuer issuer;
  private TestIssuer renamed;
  private SelfSignedHttpsServer privateCa;

  @Override
  public Map<String, String> start() {
    try {
      redis = RedisServer.start();
      issuer = TestIssuer.start("test");
      renamed = TestIssuer.start("renamed");
      // As Keycloak behind a proxy whose hostname setting names its public URL: reachable at the
      // configured address, it calls itself by another. (Not "localhost" for the other name: it
      // may resolve to ::1, where nothing listens, and the step before would fail instead.)
      Map<String, Object> document = renamed.discoveryDocument();
      document.put("issuer", "https://keycloak.example.test/realms/renamed");
      renamed.answerDiscoveryWith(
          200, "application/json", new ObjectMapper().writeValueAsString(document));
      privateCa = new SelfSignedHttpsServer();
    } catch (Exception e) {
      throw new IllegalStateException("Could not start the diagnostics peers", e);
    }
    return Map.of(
        "quarkus.redis.hosts", redis.uri(),
        "session-broker.issuers.test.url", issuer.url(),
        "session-broker.issuers.private.url", privateCa.issuerUrl(),
        "session-broker.issuers.nowhere.url",
            "http://127.0.0.1:" + FreePorts.next() + "/realms/nowhere",
        "session-broker.issuers.renamed.url", renamed.url(),
        "session-broker.jwks.timeout", "10s");
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        issuer, new TestInjector.AnnotatedAndMatchesType(InjectTestIssuer.class, TestIssuer.class));
  }

  @Override
  public void stop() {
    try {
      if (privateCa != null) {
        privateCa.close();
      }
    } catch (Exception e) {
      // Closing the others matters more.
    }
    if (issuer != null) {
      issuer.close();
    }
    if (renamed != null) {
      renamed.close();
    }
    if (redis != null) {
      redis.close();
    }
  }
}
