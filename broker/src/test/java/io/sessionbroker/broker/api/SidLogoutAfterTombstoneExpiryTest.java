package io.sessionbroker.broker.api;

import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.eventLog;
import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The broker forgets a logged-out {@code sid} after {@code session-broker.sessions.tombstone-ttl}
 * (10 h by default), while the stream keeps its events and their dedupe markers for {@code
 * session-broker.events.retention} (24 h). Keycloak may keep the SSO session longer (SSO Session
 * Max, "remember me"), after a logout that left it alive (an admin revocation without admin client,
 * a client-only logout): a later logout of the same {@code sid} is a new logout, owed its own event
 * (SPEC §3.3), also once the first one's tombstone is gone.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
@TestProfile(SidLogoutAfterTombstoneExpiryTest.ShortTombstones.class)
class SidLogoutAfterTombstoneExpiryTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void aLogoutOfASidAfterItsEarlierLogoutWasForgottenStillReachesTheClient() throws Exception {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    String admin = adminToken(issuer);

    String first = unique("S");
    // The app's own session ends before the SSO session (e.g. a one-hour app session).
    register(
            token,
            Map.of(
                "sessionId",
                first,
                "sid",
                sid,
                "expiresAt",
                Instant.now().plusSeconds(5).toString()))
        .then()
        .statusCode(201);
    revoke(admin, Map.of("sid", sid)).then().statusCode(200);
    // The registration (5 s: still in the future when a loaded machine delivers it) and the
    // tombstone (2 s), so the sid hash, expire.
    Thread.sleep(6_500);
    String second = unique("S");
    register(token, Map.of("sessionId", second, "sid", sid, "issuedAt", Instant.now().toString()))
        .then()
        .statusCode(201);
    revoke(admin, Map.of("sid", sid)).then().statusCode(200);

    JsonPath log = eventLog(token);
    List<List<String>> sessionIds = log.getList("items.sessionIds");
    assertThat(sessionIds).as("one event per logout").hasSize(2);
    assertThat(sessionIds.get(1)).contains(second);
  }

  /** Tombstones of 2 s, so the first logout is forgotten within the test. */
  public static class ShortTombstones implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("session-broker.sessions.tombstone-ttl", "2s");
    }
  }
}
