package io.sessionbroker.broker.attack;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3.2: "An app may only read, register and delete its own client's sessions". The explicit
 * registration form lets an app name any {@code sid}; the sid hash is shared by every client of
 * that SSO session, so one app's registration reaches into another's.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class CrossClientSidTest {

  @InjectTestIssuer TestIssuer issuer;

  private static Response register(String accessToken, Map<String, ?> body) {
    return given()
        .auth()
        .oauth2(accessToken)
        .contentType(ContentType.JSON)
        .body(body)
        .when()
        .post("/api/v1/sessions");
  }

  private static Map<String, Object> body(String... pairs) {
    Map<String, Object> body = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      body.put(pairs[i], pairs[i + 1]);
    }
    return body;
  }

  /**
   * app1 (which saw the user's sid, e.g. the user is signed in to both apps) registers that sid
   * with a made-up sub; app2's own, Keycloak-signed ID token registration of the same SSO session
   * is then refused with 409 sub_mismatch. Expected: app2's registration is judged on its own ID
   * token (201).
   */
  @Test
  void whenAnotherAppRegisteredTheSidWithAFakeSubThenTheOwnersIdTokenRegistrationStillSucceeds() {
    String sid = UUID.randomUUID().toString();
    String realSub = UUID.randomUUID().toString();
    register(
            issuer.accessToken("app1"),
            body("sessionId", "A-" + sid, "sid", sid, "sub", "attacker-chosen"))
        .then()
        .statusCode(201);

    register(
            issuer.accessToken("app2"),
            body("sessionId", "B-" + sid, "idToken", issuer.idToken("app2", sid, realSub)))
        .then()
        .statusCode(201)
        .body("sub", equalTo(realSub));
  }

  /**
   * app2 registers its user's session from the ID token; app1, knowing only the sid, registers it
   * without a sub and is answered with app2's user's sub. Expected: app1 learns nothing of another
   * client's registration (its record carries no sub it did not give).
   */
  @Test
  void whenAppRegistersAnotherClientsSidWithoutSubThenItIsNotToldThatClientsUser() {
    String sid = UUID.randomUUID().toString();
    String realSub = UUID.randomUUID().toString();
    register(
            issuer.accessToken("app2"),
            body("sessionId", "B-" + sid, "idToken", issuer.idToken("app2", sid, realSub)))
        .then()
        .statusCode(201);

    register(issuer.accessToken("app1"), body("sessionId", "A-" + sid, "sid", sid))
        .then()
        .statusCode(201)
        .body("sub", not(equalTo(realSub)));
  }
}
