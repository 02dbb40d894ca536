package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

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
 * registration form lets an app name any {@code sid}, and the sid is shared by every client of that
 * SSO session. The rule: a sub verified from an ID token is the SSO session's user for everyone; an
 * app's own claim stays in its own registrations, is refused when it contradicts the verified one,
 * and changes nothing other clients see or what a revocation of another user reaches.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class CrossClientRegistrationTest {

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

  /** A claim that contradicts the verified user is refused for the claimer, and changes nothing. */
  @Test
  void whenAnAppClaimsAnotherSubForAVerifiedSidThenOnlyItIsRefused() {
    String sid = UUID.randomUUID().toString();
    String realSub = UUID.randomUUID().toString();
    register(
            issuer.accessToken("app2"),
            body("sessionId", "B-" + sid, "idToken", issuer.idToken("app2", sid, realSub)))
        .then()
        .statusCode(201);

    register(
            issuer.accessToken("app1"),
            body("sessionId", "A-" + sid, "sid", sid, "sub", "attacker-chosen"))
        .then()
        .statusCode(409)
        .body("code", equalTo("sub_mismatch"));

    ApiTestCalls.getSession(issuer.accessToken("app1"), "A-" + sid).then().statusCode(404);
    ApiTestCalls.getSession(issuer.accessToken("app2"), "B-" + sid)
        .then()
        .statusCode(200)
        .body("sub", equalTo(realSub));
    register(
            issuer.accessToken("app2"),
            body("sessionId", "B2-" + sid, "idToken", issuer.idToken("app2", sid, realSub)))
        .then()
        .statusCode(201);
  }

  /**
   * An app's claim stays its own: it sees the user it named, the other client sees the verified
   * user, and a query by the claimed sub finds only the claimer's registration.
   */
  @Test
  void whenAnAppClaimedASubBeforeTheVerifiedOneThenEachClientSeesOnlyItsOwn() {
    String sid = UUID.randomUUID().toString();
    String realSub = UUID.randomUUID().toString();
    String claimed = "claimed-" + UUID.randomUUID();
    register(issuer.accessToken("app1"), body("sessionId", "A-" + sid, "sid", sid, "sub", claimed))
        .then()
        .statusCode(201)
        .body("sub", equalTo(claimed));
    register(
            issuer.accessToken("app2"),
            body("sessionId", "B-" + sid, "idToken", issuer.idToken("app2", sid, realSub)))
        .then()
        .statusCode(201);

    ApiTestCalls.getSession(issuer.accessToken("app1"), "A-" + sid)
        .then()
        .body("sub", equalTo(claimed));
    ApiTestCalls.getSession(issuer.accessToken("app2"), "B-" + sid)
        .then()
        .body("sub", equalTo(realSub));
    given()
        .auth()
        .oauth2(ApiTestCalls.adminToken(issuer))
        .queryParam("sub", claimed)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items.sessionId", contains("A-" + sid));
  }

  /** An explicit registration without sub records none, also when the sid has a verified user. */
  @Test
  void whenAnAppRegistersAVerifiedSidWithoutSubThenItsRecordHasNoSub() {
    String sid = UUID.randomUUID().toString();
    register(
            issuer.accessToken("app2"),
            body(
                "sessionId",
                "B-" + sid,
                "idToken",
                issuer.idToken("app2", sid, UUID.randomUUID().toString())))
        .then()
        .statusCode(201);

    register(issuer.accessToken("app1"), body("sessionId", "A-" + sid, "sid", sid))
        .then()
        .statusCode(201)
        .body("sub", nullValue());
    ApiTestCalls.getSession(issuer.accessToken("app1"), "A-" + sid).then().body("sub", nullValue());
  }

  /**
   * An admin's revocation of the claimed user reaches the claimer's registration only: not the
   * verified user's session under the same sid, and the sid stays open for new registrations.
   */
  @Test
  void whenAnAdminRevokesAClaimedSubThenAnotherUsersSessionUnderThatSidStaysActive() {
    String sid = UUID.randomUUID().toString();
    String realSub = UUID.randomUUID().toString();
    String claimed = "claimed-" + UUID.randomUUID();
    register(issuer.accessToken("app1"), body("sessionId", "A-" + sid, "sid", sid, "sub", claimed))
        .then()
        .statusCode(201);
    register(
            issuer.accessToken("app2"),
            body("sessionId", "B-" + sid, "idToken", issuer.idToken("app2", sid, realSub)))
        .then()
        .statusCode(201);

    ApiTestCalls.revoke(ApiTestCalls.adminToken(issuer), Map.of("sub", claimed))
        .then()
        .statusCode(200);

    ApiTestCalls.getSession(issuer.accessToken("app1"), "A-" + sid)
        .then()
        .body("status", equalTo("revoked"));
    ApiTestCalls.getSession(issuer.accessToken("app2"), "B-" + sid)
        .then()
        .body("status", equalTo("active"));
    register(
            issuer.accessToken("app2"),
            body("sessionId", "B2-" + sid, "idToken", issuer.idToken("app2", sid, realSub)))
        .then()
        .statusCode(201);
  }

  /**
   * A logout of a sid that no ID token verified tells each client the user it claimed itself, never
   * another client's claim.
   */
  @Test
  void whenASidWithoutVerifiedUserIsRevokedThenEachClientsEventCarriesItsOwnClaim() {
    String sid = UUID.randomUUID().toString();
    String first = ApiTestCalls.unique("app");
    String second = ApiTestCalls.unique("app");
    register(issuer.accessToken(first), body("sessionId", "A-" + sid, "sid", sid, "sub", "one"))
        .then()
        .statusCode(201);
    register(issuer.accessToken(second), body("sessionId", "B-" + sid, "sid", sid, "sub", "two"))
        .then()
        .statusCode(201);

    ApiTestCalls.revoke(ApiTestCalls.adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    events(issuer.accessToken(first))
        .then()
        .statusCode(200)
        .body("items.sub", contains("one"))
        .body("items[0].sessionIds", contains("A-" + sid));
    events(issuer.accessToken(second))
        .then()
        .statusCode(200)
        .body("items.sub", contains("two"))
        .body("items[0].sessionIds", contains("B-" + sid));
  }

  private static Response events(String accessToken) {
    return given().auth().oauth2(accessToken).when().get("/api/v1/events");
  }
}
