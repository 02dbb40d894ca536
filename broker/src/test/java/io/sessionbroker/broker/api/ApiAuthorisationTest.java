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
import java.util.List;
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

  // --- Which tokens are API callers (SPEC §3.2): access tokens for the broker's audience, an
  // app's own service account, or the admin role.

  @Test
  void whenEndUserAccessTokenIssuedToTheAppQueriesThenForbidden() {
    String clientId = unique("portal");
    registerOk(issuer.accessToken(clientId), unique("S"), unique("sid"), "alice");

    given()
        .auth()
        .oauth2(issuer.userAccessToken(clientId, "bob"))
        .queryParam("clientId", clientId)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(403)
        .header("Content-Type", startsWith("application/problem+json"));
  }

  @Test
  void whenEndUserAccessTokenWithKeycloaksDefaultAudienceQueriesThenForbidden() {
    // Exactly what Keycloak issues to a signed-in user of portal without any audience mapper.
    var claims = issuer.userAccessTokenClaims("portal", "bob");
    claims.setAudience("account");

    given()
        .auth()
        .oauth2(issuer.sign(claims))
        .queryParam("clientId", "portal")
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(403);
  }

  @Test
  void whenEndUserAccessTokenRegistersThenForbiddenAndNothingStored() {
    String clientId = unique("portal");
    String sid = unique("sid");

    register(issuer.userAccessToken(clientId, "bob"), Map.of("sessionId", unique("S"), "sid", sid))
        .then()
        .statusCode(403);

    given()
        .auth()
        .oauth2(adminToken(issuer))
        .queryParam("sid", sid)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items", org.hamcrest.Matchers.empty());
  }

  @Test
  void whenEndUserAccessTokenDeletesTheAppsSessionThenForbiddenAndItSurvives() {
    String clientId = unique("portal");
    String sessionId = unique("S");
    registerOk(issuer.accessToken(clientId), sessionId, unique("sid"), "alice");

    given()
        .auth()
        .oauth2(issuer.userAccessToken(clientId, "bob"))
        .when()
        .delete("/api/v1/sessions/{id}", sessionId)
        .then()
        .statusCode(403);

    getSession(issuer.accessToken(clientId), sessionId)
        .then()
        .statusCode(200)
        .body("status", equalTo("active"));
  }

  @Test
  void whenEndUserAccessTokenReadsEventsThenForbidden() {
    given()
        .auth()
        .oauth2(issuer.userAccessToken("app1", "bob"))
        .when()
        .get("/api/v1/events")
        .then()
        .statusCode(403);
  }

  @Test
  void whenIdTokenOfTheAppIsTheBearerThenUnauthorized() {
    given()
        .auth()
        .oauth2(issuer.idToken("portal", unique("sid"), "bob"))
        .queryParam("clientId", "portal")
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(401)
        .header("Content-Type", startsWith("application/problem+json"));
  }

  @Test
  void whenIdTokenCarriesTheServiceAccountMarksThenStillUnauthorized() {
    var claims = issuer.accessTokenClaims("app1");
    claims.setClaim("typ", "ID");

    given()
        .auth()
        .oauth2(issuer.sign(claims))
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(401);
  }

  @Test
  void whenRefreshTokenIsTheBearerThenUnauthorized() {
    for (String type : List.of("Refresh", "Offline")) {
      var claims = issuer.accessTokenClaims("app1");
      claims.setClaim("typ", type);

      given()
          .auth()
          .oauth2(issuer.sign(claims))
          .when()
          .get("/api/v1/sessions")
          .then()
          .statusCode(401);
    }
  }

  @Test
  void whenLogoutTokenIsTheBearerThenUnauthorized() {
    var claims = issuer.accessTokenClaims("app1");
    claims.setClaim("events", Map.of(TestIssuer.BACKCHANNEL_LOGOUT_EVENT, Map.of()));

    given()
        .auth()
        .oauth2(issuer.sign(claims, "logout+jwt"))
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(401);
  }

  @Test
  void whenServiceAccountTokenLacksTheApiAudienceThenUnauthorized() {
    var claims = issuer.accessTokenClaims("app1");
    claims.setAudience("account");

    given()
        .auth()
        .oauth2(issuer.sign(claims))
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(401);
  }

  @Test
  void whenClientIdClaimNamesAnotherClientThanAzpThenForbidden() {
    var claims = issuer.accessTokenClaims("app1");
    claims.setClaim("client_id", "app2");

    given()
        .auth()
        .oauth2(issuer.sign(claims))
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(403);
  }

  @Test
  void whenPreferredUsernameIsNotTheServiceAccountThenForbidden() {
    var claims = issuer.accessTokenClaims("app1");
    claims.setClaim("preferred_username", "bob");

    given()
        .auth()
        .oauth2(issuer.sign(claims))
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(403);
  }

  @Test
  void whenServiceAccountTokenHasTheLegacyClientIdClaimThenItIsAnAppCaller() {
    // Keycloak before 25 named the claim clientId (a mapper on the client itself).
    String clientId = unique("legacy");
    var claims = issuer.accessTokenClaims(clientId);
    claims.unsetClaim("client_id");
    claims.setClaim("clientId", clientId);
    String sessionId = unique("S");

    registerOk(issuer.sign(claims), sessionId, unique("sid"), null);

    getSession(issuer.sign(claims), sessionId).then().statusCode(200);
  }

  @Test
  void whenOperatorUserWithAdminRoleQueriesThenAllowed() {
    String clientId = unique("app");
    String sessionId = unique("S");
    registerOk(issuer.accessToken(clientId), sessionId, unique("sid"), null);

    given()
        .auth()
        .oauth2(issuer.userAccessToken("ops-console", "operator", ApiTestCalls.ADMIN_ROLE))
        .queryParam("clientId", clientId)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items.sessionId", containsInAnyOrder(sessionId));
  }

  @Test
  void whenOperatorUserWithAdminRoleRegistersThenForbidden() {
    register(
            issuer.userAccessToken("ops-console", "operator", ApiTestCalls.ADMIN_ROLE),
            Map.of("sessionId", unique("S"), "sid", unique("sid")))
        .then()
        .statusCode(403);
  }

  // --- Per-issuer admin: realms are separate tenants.

  @Test
  void whenAdminOfAnotherIssuerRevokesAUserThenForbiddenAndTheSessionStaysActive() {
    String sessionId = unique("S");
    String sub = unique("lab-user");
    registerOk(issuer.accessToken("app1"), sessionId, unique("sid"), sub);

    revoke(
            otherIssuer.accessToken("app1", ApiTestCalls.ADMIN_ROLE),
            Map.of("issuer", "test", "sub", sub))
        .then()
        .statusCode(403)
        .header("Content-Type", startsWith("application/problem+json"));

    getSession(issuer.accessToken("app1"), sessionId)
        .then()
        .statusCode(200)
        .body("status", equalTo("active"));
  }

  @Test
  void whenAdminUserOfAnotherIssuerRevokesBySidThenForbidden() {
    String sid = unique("sid");
    String sessionId = unique("S");
    registerOk(issuer.accessToken("app1"), sessionId, sid, null);

    revoke(
            otherIssuer.userAccessToken("app1", "operator", ApiTestCalls.ADMIN_ROLE),
            Map.of("issuer", "test", "sid", sid))
        .then()
        .statusCode(403);

    getSession(issuer.accessToken("app1"), sessionId)
        .then()
        .statusCode(200)
        .body("status", equalTo("active"));
  }

  @Test
  void whenAdminQueriesAnotherIssuerThenForbidden() {
    given()
        .auth()
        .oauth2(otherIssuer.accessToken("app1", ApiTestCalls.ADMIN_ROLE))
        .queryParam("issuer", "test")
        .queryParam("clientId", "app1")
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(403);
  }

  @Test
  void whenAdminQueriesWithoutIssuerThenOnlyItsOwnIssuersSessionsAreListed() {
    String sid = unique("sid");
    registerOk(issuer.accessToken("app1"), unique("S"), sid, null);
    String ofOther = unique("S");
    registerOk(otherIssuer.accessToken("app1"), ofOther, sid, null);

    given()
        .auth()
        .oauth2(otherIssuer.accessToken("app1", ApiTestCalls.ADMIN_ROLE))
        .queryParam("sid", sid)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items.sessionId", containsInAnyOrder(ofOther))
        .body("items.issuer", everyItem(equalTo("other")));
  }

  @Test
  void whenAdminRevokesInItsOwnIssuerThenAllowed() {
    String sid = unique("sid");
    String sessionId = unique("S");
    registerOk(otherIssuer.accessToken("app1"), sessionId, sid, null);

    revoke(otherIssuer.accessToken("app1", ApiTestCalls.ADMIN_ROLE), Map.of("sid", sid))
        .then()
        .statusCode(200);

    getSession(otherIssuer.accessToken("app1"), sessionId)
        .then()
        .statusCode(200)
        .body("status", equalTo("revoked"));
  }
}
