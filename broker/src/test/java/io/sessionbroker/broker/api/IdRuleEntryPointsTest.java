package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.assertNothingStored;
import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * The id rule (no braces, printable ASCII, 1-256 characters) at every entry point: a client id with
 * a brace would put a client's event stream and its dedupe markers in different Redis Cluster
 * slots, so every logout of that client would fail. Each bad id is a clear 400 and changes nothing.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class IdRuleEntryPointsTest {

  @InjectTestIssuer TestIssuer issuer;

  @InjectRedis RedisServer redis;

  @Test
  void whenTheCallersClientIdHasABraceThenRegistrationIsBadRequestAndNothingStored() {
    String clientId = "app{" + UUID.randomUUID() + "}";
    String sid = unique("sid");

    register(issuer.accessToken(clientId), Map.of("sessionId", unique("S"), "sid", sid))
        .then()
        .statusCode(400)
        .header("Content-Type", startsWith("application/problem+json"))
        .body("detail", containsString("azp"));

    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenTheSessionIdHasABraceThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");

    register(issuer.accessToken(clientId), Map.of("sessionId", "S{1}", "sid", sid))
        .then()
        .statusCode(400)
        .body("detail", containsString("sessionId"));

    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenTheIdTokensSidHasABraceThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = "sid{" + UUID.randomUUID() + "}";

    register(
            issuer.accessToken(clientId),
            Map.of("sessionId", unique("S"), "idToken", issuer.idToken(clientId, sid, "u-1")))
        .then()
        .statusCode(400)
        .body("detail", containsString("sid"));

    assertNothingStored(redis, clientId, null);
  }

  @Test
  void whenAQueryParameterHasABraceThenBadRequest() {
    for (String parameter : List.of("sid", "sub", "clientId", "issuer")) {
      // A sub may hold braces (a user-storage username), but never a control character.
      given()
          .auth()
          .oauth2(adminToken(issuer))
          .queryParam(parameter, parameter.equals("sub") ? "x\u0001y" : "x{y}")
          .when()
          .get("/api/v1/sessions")
          .then()
          .statusCode(400)
          .header("Content-Type", startsWith("application/problem+json"))
          .body("detail", containsString(parameter));
    }
  }

  @Test
  void whenThePathsSessionIdHasABraceThenBadRequest() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .urlEncodingEnabled(false)
        .when()
        .get("/api/v1/sessions/S%7B1%7D")
        .then()
        .statusCode(400);
  }

  @Test
  void whenAnAdminRevocationNamesASubWithALineBreakThenBadRequestAndNoEvent() {
    String clientId = unique("app");
    String sessionId = unique("S");
    registerOk(issuer.accessToken(clientId), sessionId, unique("sid"), "u-1");

    revoke(adminToken(issuer), Map.of("sub", "u-1\nu-2"))
        .then()
        .statusCode(400)
        .body("detail", containsString("sub"));

    assertThat(redis.command("EXISTS sb:events:test:" + clientId)).isEqualTo(":0");
  }

  /**
   * A sid of {@code ..} would make the Keycloak admin call {@code
   * /admin/realms/<realm>/sessions/..} address the realm instead of one session.
   */
  @Test
  void whenAnAdminRevocationNamesTheSidDotDotThenBadRequestAndNoEvent() {
    String clientId = unique("app");
    registerOk(issuer.accessToken(clientId), unique("S"), unique("sid"), "u-1");

    revoke(adminToken(issuer), Map.of("sid", ".."))
        .then()
        .statusCode(400)
        .header("Content-Type", startsWith("application/problem+json"))
        .body("detail", containsString("sid"));

    assertThat(redis.command("EXISTS sb:events:test:" + clientId)).isEqualTo(":0");
  }

  @Test
  void whenTheEventsClientIdHasABraceThenBadRequest() {
    given()
        .auth()
        .oauth2(adminToken(issuer))
        .queryParam("clientId", "app{1}")
        .when()
        .get("/api/v1/events")
        .then()
        .statusCode(400);
  }

  @Test
  void whenALogoutTokensAudienceHasABraceThenInvalidRequestAndNoEvent() {
    String clientId = "app{" + UUID.randomUUID() + "}";

    Response response =
        given()
            .formParam("logout_token", issuer.logoutToken(clientId, unique("sid"), "u-1"))
            .when()
            .post("/backchannel-logout");

    assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
    assertThat(response.jsonPath().getString("error")).isEqualTo("invalid_request");
    assertThat(redis.command("KEYS *" + clientId.substring(4, 40) + "*")).isEqualTo("*0");
  }

  @Test
  void whenALogoutTokensSidHasABraceThenInvalidRequest() {
    Response response =
        given()
            .formParam("logout_token", issuer.logoutToken("app1", "sid{1}", "u-1"))
            .when()
            .post("/backchannel-logout");

    assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
    assertThat(response.jsonPath().getString("error")).isEqualTo("invalid_request");
  }

  @Test
  void whenAKeycloakAdminActionsResourceHasABraceThenInvalidRequestAndNoEvent() {
    String clientId = "app{" + UUID.randomUUID() + "}";
    JwtClaims claims = new JwtClaims();
    claims.setClaim("id", UUID.randomUUID().toString());
    claims.setClaim("expiration", Instant.now().getEpochSecond() + 60);
    claims.setClaim("resource", clientId);
    claims.setClaim("action", "PUSH_NOT_BEFORE");
    claims.setClaim("notBefore", Instant.now().getEpochSecond());

    Response response =
        given()
            .contentType("text/plain")
            .body(issuer.sign(claims, null))
            .when()
            .post("/keycloak/test/k_push_not_before");

    assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
    assertThat(response.jsonPath().getString("error")).isEqualTo("invalid_request");
    assertThat(redis.command("KEYS *" + clientId.substring(4, 40) + "*")).isEqualTo("*0");
  }

  @Test
  void whenAnIdPassesTheRuleThenItIsAccepted() {
    String clientId = "urn:example:" + UUID.randomUUID();
    String sessionId = "node01" + UUID.randomUUID().toString().replace("-", "") + ".node0";

    registerOk(issuer.accessToken(clientId), sessionId, unique("sid"), "f:ldap:jdoe");

    given()
        .auth()
        .oauth2(issuer.accessToken(clientId))
        .when()
        .get("/api/v1/sessions/{id}", sessionId)
        .then()
        .statusCode(200)
        .body("clientId", equalTo(clientId));
  }
}
