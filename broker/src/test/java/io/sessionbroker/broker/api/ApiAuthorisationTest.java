package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.getSession;
import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC §3.2 authorisation: who may call what, and the 401/403/404 each caller gets. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class ApiAuthorisationTest {

  @InjectTestIssuer TestIssuer issuer;

  @InjectTestIssuer("other")
  TestIssuer otherIssuer;

  @Test
  void whenNoTokenThenQueryIsUnauthorized() {
    given().when().get("/api/v1/sessions").then().statusCode(401);
  }

  @Test
  void whenNoTokenThenRegistrationIsUnauthorized() {
    given()
        .contentType("application/json")
        .body(Map.of("sessionId", unique("S"), "sid", unique("sid")))
        .when()
        .post("/api/v1/sessions")
        .then()
        .statusCode(401);
  }

  @Test
  void whenNoTokenThenEventsAreUnauthorized() {
    given().when().get("/api/v1/events").then().statusCode(401);
  }

  @Test
  void whenNoTokenThenRevocationIsUnauthorized() {
    given()
        .contentType("application/json")
        .body(Map.of("sid", unique("sid")))
        .when()
        .post("/api/v1/revocations")
        .then()
        .statusCode(401);
  }

  @Test
  void whenTokenIsGarbageThenUnauthorized() {
    given()
        .auth()
        .oauth2("this-is-not-a-jwt")
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(401);
  }

  @Test
  void whenTokenSignatureIsTamperedThenUnauthorized() {
    String token = issuer.accessToken("app1");
    String tampered = token.substring(0, token.length() - 4) + "AAAA";

    given().auth().oauth2(tampered).when().get("/api/v1/sessions").then().statusCode(401);
  }

  @Test
  void whenTokenIsFromAnUnconfiguredIssuerThenUnauthorized() {
    try (TestIssuer stranger = TestIssuer.start("stranger")) {
      given()
          .auth()
          .oauth2(stranger.accessToken("app1", ApiTestCalls.ADMIN_ROLE))
          .when()
          .get("/api/v1/sessions")
          .then()
          .statusCode(401);
    }
  }

  @Test
  void whenTokenIsExpiredThenUnauthorized() {
    var claims = issuer.accessTokenClaims("app1");
    claims.setExpirationTimeMinutesInTheFuture(-10);
    claims.setIssuedAtToNow();

    given()
        .auth()
        .oauth2(issuer.sign(claims))
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(401);
  }

  @Test
  void whenAppReadsAnotherClientsSessionThenNotFound() {
    String sessionId = unique("S");
    registerOk(issuer.accessToken("app2"), sessionId, unique("sid"), null);

    getSession(issuer.accessToken("app1"), sessionId).then().statusCode(404);
  }

  @Test
  void whenAppDeletesAnotherClientsSessionThenNotFoundAndItSurvives() {
    String sessionId = unique("S");
    registerOk(issuer.accessToken("app2"), sessionId, unique("sid"), null);

    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .when()
        .delete("/api/v1/sessions/{id}", sessionId)
        .then()
        .statusCode(404);

    getSession(issuer.accessToken("app2"), sessionId)
        .then()
        .statusCode(200)
        .body("status", equalTo("active"));
  }

  @Test
  void whenAppQueriesAnotherClientIdThenForbiddenProblem() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("clientId", "app2")
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(403)
        .header("Content-Type", startsWith("application/problem+json"))
        .body("status", equalTo(403));
  }

  @Test
  void whenAppQueriesAnotherIssuerThenForbidden() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("issuer", "other")
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(403);
  }

  @Test
  void whenAppQueriesBySidThenOtherClientsSessionsUnderThatSidAreHidden() {
    String sid = unique("sid");
    String own = unique("S");
    registerOk(issuer.accessToken("app1"), own, sid, null);
    registerOk(issuer.accessToken("app2"), unique("S"), sid, null);

    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("sid", sid)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items.sessionId", containsInAnyOrder(own));
  }

  @Test
  void whenAdminQueriesBySidThenSessionsOfAllClientsAreListed() {
    String sid = unique("sid");
    String ofApp1 = unique("S");
    String ofApp2 = unique("S");
    registerOk(issuer.accessToken("app1"), ofApp1, sid, null);
    registerOk(issuer.accessToken("app2"), ofApp2, sid, null);

    given()
        .auth()
        .oauth2(adminToken(issuer))
        .queryParam("sid", sid)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items.sessionId", containsInAnyOrder(ofApp1, ofApp2))
        .body("items.clientId", containsInAnyOrder("app1", "app2"));
  }

  @Test
  void whenAdminQueriesAnotherClientIdThenThatClientsSessionsAreListed() {
    String clientId = unique("app");
    String sessionId = unique("S");
    registerOk(issuer.accessToken(clientId), sessionId, unique("sid"), null);

    given()
        .auth()
        .oauth2(adminToken(issuer))
        .queryParam("clientId", clientId)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items.sessionId", containsInAnyOrder(sessionId))
        .body("items.clientId", everyItem(equalTo(clientId)));
  }

  @Test
  void whenAppWithoutAdminRoleRevokesThenForbidden() {
    String sid = unique("sid");
    String sessionId = unique("S");
    registerOk(issuer.accessToken("app1"), sessionId, sid, null);

    revoke(issuer.accessToken("app1"), Map.of("sid", sid))
        .then()
        .statusCode(403)
        .header("Content-Type", startsWith("application/problem+json"));

    getSession(issuer.accessToken("app1"), sessionId)
        .then()
        .statusCode(200)
        .body("status", equalTo("active"));
  }

  @Test
  void whenClientIsNotInTheIssuersAllowListThenForbidden() {
    given()
        .auth()
        .oauth2(otherIssuer.accessToken("app9"))
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(403);
  }

  @Test
  void whenClientNotInTheAllowListRegistersThenForbidden() {
    String sid = unique("sid");

    register(
            otherIssuer.accessToken("app9"),
            Map.of("sessionId", unique("S"), "idToken", otherIssuer.idToken("app9", sid, "u-1")))
        .then()
        .statusCode(403);
  }

  @Test
  void whenClientIsInTheIssuersAllowListThenAllowed() {
    String sessionId = unique("S");
    String sid = unique("sid");

    register(
            otherIssuer.accessToken("app1"),
            Map.of("sessionId", sessionId, "idToken", otherIssuer.idToken("app1", sid, "u-1")))
        .then()
        .statusCode(201)
        .body("issuer", equalTo("other"));
  }

  @Test
  void whenSameClientIdOfAnotherIssuerReadsTheSessionThenNotFound() {
    String sessionId = unique("S");
    registerOk(issuer.accessToken("app1"), sessionId, unique("sid"), null);

    getSession(otherIssuer.accessToken("app1"), sessionId).then().statusCode(404);
  }
}
