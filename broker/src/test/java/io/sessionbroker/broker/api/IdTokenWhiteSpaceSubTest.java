package io.sessionbroker.broker.api;

import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.eventLog;
import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A {@code sub} of white space only passes SubjectRule, so an ID token naming such a user registers
 * the session under exactly that sub (SPEC §3.2), and a revocation by it reaches the session.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class IdTokenWhiteSpaceSubTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void anIdTokenWhoseSubIsWhiteSpaceRegistersUnderExactlyThatSub() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sub = " \u2003 ";
    String sessionId = unique("S");

    register(
            token,
            Map.of("sessionId", sessionId, "idToken", issuer.idToken(clientId, unique("sid"), sub)))
        .then()
        .statusCode(201);
    revoke(adminToken(issuer), Map.of("sub", sub)).then().statusCode(200);

    JsonPath log = eventLog(token);
    assertThat(log.getList("items.sub", String.class)).containsExactly(sub);
    List<List<String>> sessionIds = log.getList("items.sessionIds");
    assertThat(sessionIds.get(0)).containsExactly(sessionId);
  }
}
