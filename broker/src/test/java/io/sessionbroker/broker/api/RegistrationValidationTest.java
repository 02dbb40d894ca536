package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.api.ApiTestCalls.assertNothingStored;
import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * Bad registrations (SPEC §5 "bad input gets a clear error and changes nothing"): each one is a 4xx
 * RFC 9457 problem and leaves no trace in Redis. Every test registers as its own client, so "no key
 * names the client" proves that nothing was written.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RegistrationValidationTest {

  @InjectTestIssuer TestIssuer issuer;

  @InjectTestIssuer("other")
  TestIssuer otherIssuer;

  @InjectRedis RedisServer redis;

  @TestHTTPResource("/")
  URL broker;

  @Test
  void whenBodyIsMalformedJsonThenBadRequestProblemAndNothingStored() {
    String clientId = unique("app");

    Response response =
        given()
            .auth()
            .oauth2(issuer.accessToken(clientId))
            .contentType(ContentType.JSON)
            .body("{\"sessionId\": \"S-1\", \"sid\": ")
            .when()
            .post("/api/v1/sessions");

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, null);
  }

  @Test
  void whenBodyIsAJsonArrayThenBadRequestProblemAndNothingStored() {
    String clientId = unique("app");

    Response response =
        given()
            .auth()
            .oauth2(issuer.accessToken(clientId))
            .contentType(ContentType.JSON)
            .body("[\"S-1\"]")
            .when()
            .post("/api/v1/sessions");

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, null);
  }

  @Test
  void whenBodyIsEmptyThenBadRequestAndNothingStored() {
    String clientId = unique("app");

    Response response =
        given()
            .auth()
            .oauth2(issuer.accessToken(clientId))
            .contentType(ContentType.JSON)
            .when()
            .post("/api/v1/sessions");

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, null);
  }

  @Test
  void whenSessionIdIsMissingThenBadRequestProblemNamingItAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");

    Response response = register(issuer.accessToken(clientId), Map.of("sid", sid));

    assertProblem(response, 400);
    response.then().body("detail", containsString("sessionId"));
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenBothIdTokenAndSidAreGivenThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");

    Response response =
        register(
            issuer.accessToken(clientId),
            Map.of(
                "sessionId",
                unique("S"),
                "sid",
                sid,
                "idToken",
                issuer.idToken(clientId, sid, "u-1")));

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenNeitherIdTokenNorSidIsGivenThenBadRequestAndNothingStored() {
    String clientId = unique("app");

    Response response =
        register(issuer.accessToken(clientId), Map.of("sessionId", unique("S"), "sub", "u-1"));

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, null);
  }

  @Test
  void whenSessionIdContainsASpaceThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");

    Response response =
        register(issuer.accessToken(clientId), Map.of("sessionId", "two words", "sid", sid));

    assertProblem(response, 400);
    response.then().body("detail", containsString("sessionId"));
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenSessionIdContainsAControlCharacterThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");

    Response response =
        register(issuer.accessToken(clientId), Map.of("sessionId", "S\u001fX", "sid", sid));

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenSessionIdContainsANewlineThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");

    Response response =
        register(issuer.accessToken(clientId), Map.of("sessionId", "S\nX", "sid", sid));

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenSidContainsAControlCharacterThenBadRequestAndNothingStored() {
    String clientId = unique("app");

    Response response =
        register(issuer.accessToken(clientId), Map.of("sessionId", unique("S"), "sid", "a\u0000b"));

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, null);
  }

  @Test
  void whenExpiresAtIsInThePastThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");

    Response response =
        register(
            issuer.accessToken(clientId),
            Map.of(
                "sessionId",
                unique("S"),
                "sid",
                sid,
                "expiresAt",
                Instant.now().minusSeconds(60).toString()));

    assertProblem(response, 400);
    response.then().body("detail", containsString("expiresAt"));
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenExpiresAtIsNotATimestampThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");

    Response response =
        register(
            issuer.accessToken(clientId),
            Map.of("sessionId", unique("S"), "sid", sid, "expiresAt", "tomorrow"));

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenBodyIsLargerThanOneMegabyteThenPayloadTooLargeAndNothingStored() throws Exception {
    String clientId = unique("app");
    String sid = unique("sid");
    String body =
        "{\"sessionId\":\""
            + unique("S")
            + "\",\"sid\":\""
            + sid
            + "\",\"padding\":\""
            + "x".repeat(1_100_000)
            + "\"}";

    // Expect: 100-continue lets the broker answer from the declared length alone. Without it the
    // answer races the upload: the broker refuses and closes while the client is still writing,
    // and the client sees a broken pipe instead of the 413.
    HttpRequest request =
        HttpRequest.newBuilder(broker.toURI().resolve("/api/v1/sessions"))
            .version(HttpClient.Version.HTTP_1_1)
            .expectContinue(true)
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + issuer.accessToken(clientId))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(413);
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenIdTokenHasExpiredThenBadRequestNamingExpWithoutEchoingTheToken() {
    String clientId = unique("app");
    String sid = unique("sid");
    JwtClaims claims = issuer.idTokenClaims(clientId, sid, "u-1");
    claims.setExpirationTimeMinutesInTheFuture(-5);
    String idToken = issuer.sign(claims);

    Response response =
        register(
            issuer.accessToken(clientId), Map.of("sessionId", unique("S"), "idToken", idToken));

    assertProblem(response, 400);
    response
        .then()
        .body("detail", containsString("exp"))
        .body("detail", not(containsString(idToken)))
        .body("detail", not(containsString(idToken.split("\\.")[1])));
    assertThat(response.asString()).doesNotContain(idToken.split("\\.")[2]);
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenIdTokenIsFromAnotherIssuerThanTheCallerThenBadRequestAndNothingStored() {
    String sid = unique("sid");

    Response response =
        register(
            issuer.accessToken("app1"),
            Map.of("sessionId", unique("S"), "idToken", otherIssuer.idToken("app1", sid, "u-1")));

    assertProblem(response, 400);
    response.then().body("detail", containsString("iss"));
    assertThat(redis.command("KEYS *" + sid + "*")).isEqualTo("*0");
  }

  @Test
  void whenIdTokenIsForAnotherClientThenBadRequestNamingAud() {
    String clientId = unique("app");
    String sid = unique("sid");

    Response response =
        register(
            issuer.accessToken(clientId),
            Map.of("sessionId", unique("S"), "idToken", issuer.idToken("app2", sid, "u-1")));

    assertProblem(response, 400);
    response.then().body("detail", containsString("aud"));
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenIdTokenIsSignedByAnUnpublishedKeyThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");
    String idToken =
        TestIssuer.sign(
            issuer.idTokenClaims(clientId, sid, "u-1"), "JWT", TestIssuer.unpublishedKey());

    Response response =
        register(
            issuer.accessToken(clientId), Map.of("sessionId", unique("S"), "idToken", idToken));

    assertProblem(response, 400);
    response.then().body("detail", containsString("signature"));
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenIdTokenSignatureIsTamperedThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");
    String[] parts = issuer.idToken(clientId, sid, "u-1").split("\\.");
    JwtClaims forged = issuer.idTokenClaims(clientId, unique("sid"), "someone-else");
    String idToken = parts[0] + "." + base64Url(forged.toJson()) + "." + parts[2];

    Response response =
        register(
            issuer.accessToken(clientId), Map.of("sessionId", unique("S"), "idToken", idToken));

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenIdTokenUsesAlgNoneThenBadRequestAndNothingStored() {
    String clientId = unique("app");
    String sid = unique("sid");
    String idToken =
        base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}")
            + "."
            + base64Url(issuer.idTokenClaims(clientId, sid, "u-1").toJson())
            + ".";

    Response response =
        register(
            issuer.accessToken(clientId), Map.of("sessionId", unique("S"), "idToken", idToken));

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, sid);
  }

  @Test
  void whenIdTokenIsNotAJwtThenBadRequestAndNothingStored() {
    String clientId = unique("app");

    Response response =
        register(
            issuer.accessToken(clientId),
            Map.of("sessionId", unique("S"), "idToken", "not-a-token"));

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, null);
  }

  @Test
  void whenIdTokenHasNoSidThenBadRequestNamingSid() {
    String clientId = unique("app");
    JwtClaims claims = issuer.idTokenClaims(clientId, "placeholder", "u-1");
    claims.unsetClaim("sid");

    Response response =
        register(
            issuer.accessToken(clientId),
            Map.of("sessionId", unique("S"), "idToken", issuer.sign(claims)));

    assertProblem(response, 400);
    response.then().body("detail", containsString("sid"));
    assertNothingStored(redis, clientId, null);
  }

  @Test
  void whenAnAccessTokenIsPresentedAsIdTokenThenBadRequest() {
    String clientId = unique("app");

    Response response =
        register(
            issuer.accessToken(clientId),
            Map.of("sessionId", unique("S"), "idToken", issuer.accessToken(clientId)));

    assertProblem(response, 400);
    assertNothingStored(redis, clientId, null);
  }

  private static void assertProblem(Response response, int status) {
    response
        .then()
        .log()
        .ifValidationFails()
        .statusCode(status)
        .header("Content-Type", startsWith("application/problem+json"))
        .body("type", notNullValue())
        .body("title", notNullValue())
        .body("status", equalTo(status))
        .body("detail", notNullValue());
  }

  private static String base64Url(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
