package io.sessionbroker.broker.api;

import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.eventLog;
import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every logout of an SSO session reaches each affected client as one event of its own (SPEC §3.3).
 * Ids may hold ':' (IdRule), so the logout of sid {@code X:1} and the second logout of sid {@code
 * X} are two logouts of two sessions, each owed its own event.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SidDedupeKeyCollisionTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void theSecondLogoutOfASidIsNotTakenForTheLogoutOfAnotherSidNamedLikeIt() throws Exception {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    String admin = adminToken(issuer);

    // sid "X:1", logged out once.
    String first = unique("S");
    registerOk(token, first, sid + ":1", null);
    revoke(admin, Map.of("sid", sid + ":1")).then().statusCode(200);
    // sid "X", logged out, signed in to again (a session that starts after the logout), logged out.
    registerOk(token, unique("S"), sid, null);
    revoke(admin, Map.of("sid", sid)).then().statusCode(200);
    Thread.sleep(1_100); // a start in a later second than the logout registers normally
    String last = unique("S");
    register(token, Map.of("sessionId", last, "sid", sid, "issuedAt", Instant.now().toString()))
        .then()
        .statusCode(201);
    revoke(admin, Map.of("sid", sid)).then().statusCode(200);

    JsonPath log = eventLog(token);
    List<List<String>> sessionIds = log.getList("items.sessionIds");
    assertThat(log.getList("items.sid", String.class)).containsExactly(sid + ":1", sid, sid);
    assertThat(sessionIds.get(sessionIds.size() - 1)).contains(last);
  }
}
