package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.getSession;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** POST /api/v1/revocations (admin): by sid, by sub, by clientId + sessionId. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class AdminRevocationTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenAdminRevokesOneSessionThenOnlyThatSessionIsRevoked() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    String target = unique("S");
    String sibling = unique("S");
    registerOk(token, target, sid, "u-1");
    registerOk(token, sibling, sid, "u-1");

    revoke(adminToken(issuer), Map.of("clientId", clientId, "sessionId", target))
        .then()
        .statusCode(200)
        .body("events.clientId", contains(clientId))
        .body("keycloakSession", equalTo("unchanged"));

    getSession(token, target).then().statusCode(200).body("status", equalTo("revoked"));
    getSession(token, sibling).then().statusCode(200).body("status", equalTo("active"));
  }

  @Test
  void whenAdminRevokesOneSessionThenClientGetsSessionRevokedEventWithReasonAdmin() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    String target = unique("S");
    registerOk(token, target, sid, "u-1");

    revoke(adminToken(issuer), Map.of("clientId", clientId, "sessionId", target))
        .then()
        .statusCode(200);

    events(token)
        .then()
        .statusCode(200)
        .body("items", hasSize(1))
        .body("items[0].type", equalTo("session.revoked"))
        .body("items[0].reason", equalTo("admin"))
        .body("items[0].clientId", equalTo(clientId))
        .body("items[0].sid", equalTo(sid))
        .body("items[0].sessionIds", contains(target));
  }

  @Test
  void whenAdminRevokesAnUnknownSessionThenNotFound() {
    revoke(adminToken(issuer), Map.of("clientId", "app1", "sessionId", unique("missing")))
        .then()
        .statusCode(404);
  }

  @Test
  void whenAdminRevokesAReRegisteredSessionIdThenANewEventIsAppended() {
    // An app may end a session (DELETE) and later register the same session id again under a new
    // SSO session; revoking it again must reach subscribers, who dedupe by event id.
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sessionId = unique("S");
    registerOk(token, sessionId, unique("sid"), null);
    String firstId =
        revoke(adminToken(issuer), Map.of("clientId", clientId, "sessionId", sessionId))
            .then()
            .statusCode(200)
            .extract()
            .path("events[0].id");
    given().auth().oauth2(token).delete("/api/v1/sessions/{id}", sessionId).then().statusCode(204);
    registerOk(token, sessionId, unique("sid"), null);

    String secondId =
        revoke(adminToken(issuer), Map.of("clientId", clientId, "sessionId", sessionId))
            .then()
            .statusCode(200)
            .extract()
            .path("events[0].id");

    assertThat(secondId).isNotEqualTo(firstId);
    events(token).then().body("items", hasSize(2));
  }

  @Test
  void whenAdminRevokesBySubThenEverySessionOfTheUserIsRevoked() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sub = unique("user");
    String first = unique("S");
    String second = unique("S");
    String otherUsers = unique("S");
    registerOk(token, first, unique("sid"), sub);
    registerOk(token, second, unique("sid"), sub);
    registerOk(token, otherUsers, unique("sid"), unique("user"));

    revoke(adminToken(issuer), Map.of("sub", sub)).then().statusCode(200);

    getSession(token, first).then().body("status", equalTo("revoked"));
    getSession(token, second).then().body("status", equalTo("revoked"));
    getSession(token, otherUsers).then().body("status", equalTo("active"));
  }

  @Test
  void whenAdminRevokesBySubThenClientGetsOneUserRevokedEventWithoutSid() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sub = unique("user");
    String first = unique("S");
    String second = unique("S");
    registerOk(token, first, unique("sid"), sub);
    registerOk(token, second, unique("sid"), sub);

    revoke(adminToken(issuer), Map.of("sub", sub)).then().statusCode(200);

    JsonPath log = events(token).then().statusCode(200).extract().jsonPath();
    assertThat(log.getList("items")).hasSize(1);
    Map<String, Object> event = log.getMap("items[0]");
    assertThat(event)
        .containsEntry("type", "user.revoked")
        .containsEntry("reason", "admin")
        .containsEntry("sub", sub)
        .doesNotContainKey("sid");
    assertThat(log.getList("items[0].sessionIds", String.class))
        .containsExactlyInAnyOrder(first, second);
  }

  @Test
  void whenAdminRevokesBySubThenLaterRegistrationOfAnOlderSignInIsConflict() {
    String token = issuer.accessToken("app1");
    String sub = unique("user");
    String sid = unique("sid");
    String idTokenBefore = issuer.idToken("app1", sid, sub);

    revoke(adminToken(issuer), Map.of("sub", sub)).then().statusCode(200);

    ApiTestCalls.register(token, Map.of("sessionId", unique("S"), "idToken", idTokenBefore))
        .then()
        .statusCode(409)
        .body("code", equalTo("session_revoked"));
  }

  @Test
  void whenAdminRevokesBySidThenSessionsOfEveryClientAreRevoked() {
    String sid = unique("sid");
    String ofApp1 = unique("S");
    String ofApp2 = unique("S");
    registerOk(issuer.accessToken("app1"), ofApp1, sid, null);
    registerOk(issuer.accessToken("app2"), ofApp2, sid, null);

    revoke(adminToken(issuer), Map.of("sid", sid))
        .then()
        .statusCode(200)
        // Every known client of the issuer is told (RevocationService#clientsTold), these two too.
        .body("events.clientId", hasItems("app1", "app2"))
        // This issuer has no admin client: the answer must say the Keycloak session lives on.
        .body("keycloakSession", equalTo("not_configured"))
        .body("keycloakSessionNote", containsString("the Keycloak SSO session lives on"));

    getSession(issuer.accessToken("app1"), ofApp1).then().body("status", equalTo("revoked"));
    getSession(issuer.accessToken("app2"), ofApp2).then().body("status", equalTo("revoked"));
  }

  @Test
  void whenAdminRevokesTheSameSidTwiceThenNoSecondEventIsAppended() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    registerOk(token, unique("S"), sid, null);

    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);
    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    events(token).then().body("items", hasSize(1));
  }

  @Test
  void whenRevocationNamesTwoModesThenBadRequest() {
    revoke(adminToken(issuer), Map.of("sid", unique("sid"), "sub", unique("user")))
        .then()
        .statusCode(400);
  }

  @Test
  void whenRevocationNamesNoModeThenBadRequest() {
    revoke(adminToken(issuer), Map.of()).then().statusCode(400);
  }

  @Test
  void whenRevocationGivesSessionIdWithoutClientIdThenBadRequest() {
    revoke(adminToken(issuer), Map.of("sessionId", unique("S"))).then().statusCode(400);
  }

  @Test
  void whenRevocationNamesAnIssuerOtherThanTheAdminsThenForbidden() {
    revoke(adminToken(issuer), Map.of("sid", unique("sid"), "issuer", "nowhere"))
        .then()
        .statusCode(403)
        .body("$", not(hasKey("events")));
  }

  @Test
  void whenRevocationNamesAnIssuerThatBreaksTheIdRuleThenBadRequest() {
    revoke(adminToken(issuer), Map.of("sid", unique("sid"), "issuer", "te{st}"))
        .then()
        .statusCode(400)
        .body("$", not(hasKey("events")));
  }

  private static Response events(String token) {
    return given().auth().oauth2(token).when().get("/api/v1/events");
  }
}
