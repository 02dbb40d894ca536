package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.api.ApiTestCalls.getSession;
import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each session endpoint of SPEC §3.2 on its happy path, and the shape of the stored record. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SessionEndpointsTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenRegisteredWithIdTokenThenCreatedWithLocationAndFullRecord() {
    String sid = unique("sid");
    String sessionId = unique("S");
    String sub = unique("user");
    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    Response response =
        register(
            issuer.accessToken("app1"),
            Map.of("sessionId", sessionId, "idToken", issuer.idToken("app1", sid, sub)));

    response
        .then()
        .statusCode(201)
        .header("Location", endsWith("/api/v1/sessions/" + sessionId))
        .body("issuer", equalTo("test"))
        .body("clientId", equalTo("app1"))
        .body("sessionId", equalTo(sessionId))
        .body("sid", equalTo(sid))
        .body("sub", equalTo(sub))
        .body("status", equalTo("active"))
        .body("revokedAt", nullValue());
    Instant createdAt = Instant.parse(response.path("createdAt"));
    assertThat(createdAt).isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
  }

  @Test
  void whenRegisteredWithIdTokenWithoutExpiresAtThenExpiryIsTenHoursAway() {
    String sessionId = unique("S");

    Response response =
        register(
            issuer.accessToken("app1"),
            Map.of(
                "sessionId",
                sessionId,
                "idToken",
                issuer.idToken("app1", unique("sid"), unique("user"))));

    response.then().statusCode(201);
    Instant expected = Instant.now().plus(Duration.ofHours(10));
    assertThat(Instant.parse(response.<String>path("expiresAt")))
        .isCloseTo(expected, within(1, ChronoUnit.MINUTES));
  }

  @Test
  void whenRegisteredWithExplicitSidSubAndExpiresAtThenRecordCarriesThem() {
    String sid = unique("sid");
    String sessionId = unique("S");
    String sub = unique("user");
    Instant expiresAt = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);

    Response response =
        register(
            issuer.accessToken("app1"),
            Map.of(
                "sessionId", sessionId, "sid", sid, "sub", sub, "expiresAt", expiresAt.toString()));

    response
        .then()
        .statusCode(201)
        .header("Location", endsWith("/api/v1/sessions/" + sessionId))
        .body("issuer", equalTo("test"))
        .body("clientId", equalTo("app1"))
        .body("sessionId", equalTo(sessionId))
        .body("sid", equalTo(sid))
        .body("sub", equalTo(sub))
        .body("status", equalTo("active"));
    assertThat(Instant.parse(response.<String>path("expiresAt"))).isEqualTo(expiresAt);
  }

  @Test
  void whenRegisteredWithSidOnlyThenExpiryIsTenHoursAway() {
    String sessionId = unique("S");

    Response response =
        register(issuer.accessToken("app1"), Map.of("sessionId", sessionId, "sid", unique("sid")));

    response.then().statusCode(201).body("status", equalTo("active"));
    assertThat(Instant.parse(response.<String>path("expiresAt")))
        .isCloseTo(Instant.now().plus(Duration.ofHours(10)), within(1, ChronoUnit.MINUTES));
  }

  @Test
  void whenRegisteredThenGetReturnsTheSameRecord() {
    String token = issuer.accessToken("app1");
    String sessionId = unique("S");
    Response created =
        register(
            token,
            Map.of(
                "sessionId", sessionId, "idToken", issuer.idToken("app1", unique("sid"), "u-1")));
    created.then().statusCode(201);

    Response read = getSession(token, sessionId);

    read.then().statusCode(200);
    assertThat(read.jsonPath().getMap("$")).isEqualTo(created.jsonPath().getMap("$"));
  }

  @Test
  void whenSessionIdWasNeverRegisteredThenGetIsNotFoundProblem() {
    getSession(issuer.accessToken("app1"), unique("missing"))
        .then()
        .statusCode(404)
        .header("Content-Type", startsWith("application/problem+json"))
        .body("status", equalTo(404));
  }

  @Test
  void whenDeletedThenNoContentAndGetIsNotFound() {
    String token = issuer.accessToken("app1");
    String sessionId = unique("S");
    registerOk(token, sessionId, unique("sid"), null);

    given()
        .auth()
        .oauth2(token)
        .when()
        .delete("/api/v1/sessions/{id}", sessionId)
        .then()
        .statusCode(204);

    getSession(token, sessionId).then().statusCode(404);
  }

  @Test
  void whenDeletedThenSidQueryNoLongerListsIt() {
    String token = issuer.accessToken("app1");
    String sid = unique("sid");
    String sessionId = unique("S");
    registerOk(token, sessionId, sid, null);

    given().auth().oauth2(token).delete("/api/v1/sessions/{id}", sessionId).then().statusCode(204);

    given()
        .auth()
        .oauth2(token)
        .queryParam("sid", sid)
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items", empty());
  }

  @Test
  void whenDeletingAnUnknownSessionThenNotFound() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .when()
        .delete("/api/v1/sessions/{id}", unique("missing"))
        .then()
        .statusCode(404);
  }

  @Test
  void whenQueriedBySidThenOnlySessionsOfThatSidAreListed() {
    String token = issuer.accessToken("app1");
    String sid = unique("sid");
    String first = unique("S");
    String second = unique("S");
    registerOk(token, first, sid, "u-1");
    registerOk(token, second, sid, "u-1");
    registerOk(token, unique("S"), unique("sid"), "u-1");

    given()
        .auth()
        .oauth2(token)
        .queryParam("sid", sid)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items.sessionId", containsInAnyOrder(first, second))
        .body("items.sid", everyItem(equalTo(sid)))
        .body("next", nullValue());
  }

  @Test
  void whenQueriedBySubThenSessionsOfEverySidOfThatUserAreListed() {
    String token = issuer.accessToken("app1");
    String sub = unique("user");
    String first = unique("S");
    String second = unique("S");
    registerOk(token, first, unique("sid"), sub);
    registerOk(token, second, unique("sid"), sub);
    registerOk(token, unique("S"), unique("sid"), unique("user"));

    given()
        .auth()
        .oauth2(token)
        .queryParam("sub", sub)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items.sessionId", containsInAnyOrder(first, second))
        .body("items.sub", everyItem(equalTo(sub)));
  }

  @Test
  void whenQueriedByOwnClientIdThenThatClientsSessionsAreListed() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String first = unique("S");
    String second = unique("S");
    registerOk(token, first, unique("sid"), null);
    registerOk(token, second, unique("sid"), null);

    JsonPath page =
        given()
            .auth()
            .oauth2(token)
            .queryParam("clientId", clientId)
            .when()
            .get("/api/v1/sessions")
            .then()
            .statusCode(200)
            .body("items.clientId", everyItem(equalTo(clientId)))
            .body("next", nullValue())
            .extract()
            .jsonPath();
    assertThat(Set.copyOf(page.getList("items.sessionId")))
        .containsExactlyInAnyOrder(first, second);
  }

  @Test
  void whenSessionIdContainsASlashThenItIsReadableWithThePercentEncodedId() {
    // Session ids are any printable ASCII (RegisterSessionRequest); base64 ids contain '/'.
    String token = issuer.accessToken("app1");
    String sessionId = "a/b+c=" + unique("S");
    registerOk(token, sessionId, unique("sid"), null);

    given()
        .urlEncodingEnabled(false)
        .auth()
        .oauth2(token)
        .when()
        .get(
            "/api/v1/sessions/"
                + sessionId.replace("/", "%2F").replace("+", "%2B").replace("=", "%3D"))
        .then()
        .statusCode(200)
        .body("sessionId", equalTo(sessionId));
  }

  @Test
  void whenSessionIdContainsASlashThenLocationPointsAtTheRecord() {
    String token = issuer.accessToken("app1");
    String sessionId = "a/b" + unique("S");
    String location =
        register(token, Map.of("sessionId", sessionId, "sid", unique("sid")))
            .then()
            .statusCode(201)
            .extract()
            .header("Location");

    given()
        .urlEncodingEnabled(false)
        .auth()
        .oauth2(token)
        .when()
        .get(location)
        .then()
        .statusCode(200)
        .body("sessionId", equalTo(sessionId));
  }

  @Test
  void whenAppQueriesWithoutFiltersThenOnlyItsOwnClientsSessionsAreListed() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sessionId = unique("S");
    registerOk(token, sessionId, unique("sid"), null);

    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items.sessionId", contains(sessionId));
  }
}
