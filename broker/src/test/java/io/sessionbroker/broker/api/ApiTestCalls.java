package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Small REST calls shared by the API tests. Redis is shared by every test class, so each test works
 * under its own random ids (and often its own client id) and never relies on a clean store.
 */
final class ApiTestCalls {

  /** The realm role that may query all clients and revoke. */
  static final String ADMIN_ROLE = "session-broker-admin";

  private ApiTestCalls() {}

  /** A random id with a readable prefix. */
  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /** An access token of a client with the admin realm role. */
  static String adminToken(TestIssuer issuer) {
    return issuer.accessToken("broker-admin", ADMIN_ROLE);
  }

  /** POST /api/v1/sessions with any body. */
  static Response register(String accessToken, Object body) {
    return given()
        .auth()
        .oauth2(accessToken)
        .contentType(ContentType.JSON)
        .body(body)
        .when()
        .post("/api/v1/sessions");
  }

  /** Registers {@code sessionId} under {@code sid} and {@code sub} and expects 201. */
  static void registerOk(String accessToken, String sessionId, String sid, String sub) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sessionId", sessionId);
    body.put("sid", sid);
    if (sub != null) {
      body.put("sub", sub);
    }
    register(accessToken, body).then().statusCode(201);
  }

  /** POST /api/v1/revocations. */
  static Response revoke(String accessToken, Map<String, ?> body) {
    return given()
        .auth()
        .oauth2(accessToken)
        .contentType(ContentType.JSON)
        .body(body)
        .when()
        .post("/api/v1/revocations");
  }

  /** GET /api/v1/sessions/{sessionId}. */
  /** The first page of the caller's client's revocation log ({@code GET /api/v1/events}), 200. */
  static JsonPath eventLog(String accessToken) {
    return given()
        .auth()
        .oauth2(accessToken)
        .when()
        .get("/api/v1/events")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  static Response getSession(String accessToken, String sessionId) {
    return given().auth().oauth2(accessToken).when().get("/api/v1/sessions/{id}", sessionId);
  }

  /**
   * Asserts that Redis holds nothing about {@code clientId} (no key naming it and no entry in the
   * issuer's client set) and no key naming {@code sid}: the request changed nothing.
   */
  static void assertNothingStored(RedisServer redis, String clientId, String sid) {
    assertThat(redis.command("KEYS *" + clientId + "*"))
        .as("keys naming client %s", clientId)
        .isEqualTo("*0");
    assertThat(redis.command("SISMEMBER sb:clients:{test} " + clientId))
        .as("client set membership of %s", clientId)
        .isEqualTo(":0");
    if (sid != null) {
      assertThat(redis.command("KEYS *" + sid + "*")).as("keys naming sid %s", sid).isEqualTo("*0");
    }
  }
}
