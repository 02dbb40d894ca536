package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /api/v1/events: the caller's client's revocation log in event format v1 (SPEC §3.3). */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class EventApiTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenASidOfTheClientIsRevokedThenItsEventHasTheVersionOneShape() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    String sub = unique("user");
    String sessionId = unique("S");
    registerOk(token, sessionId, sid, sub);
    Instant before = Instant.now().minusSeconds(1);

    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    JsonPath log = events(token, Map.of()).then().statusCode(200).extract().jsonPath();
    assertThat(log.getList("items")).hasSize(1);
    Map<String, Object> event = log.getMap("items[0]");
    assertThat(event)
        .containsEntry("v", 1)
        .containsEntry("type", "session.revoked")
        .containsEntry("reason", "admin")
        .containsEntry("issuer", "test")
        .containsEntry("clientId", clientId)
        .containsEntry("sid", sid)
        .containsEntry("sub", sub)
        .containsEntry("sessionIds", List.of(sessionId));
    assertThat((String) event.get("id")).matches("\\d+-\\d+");
    assertThat(Instant.parse((String) event.get("at")))
        .isBetween(before, Instant.now().plusSeconds(1));
  }

  @Test
  void whenSeveralEventsAreLoggedThenIdsIncreaseInLogOrder() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    List<String> sids = List.of(unique("sid"), unique("sid"), unique("sid"));
    for (String sid : sids) {
      registerOk(token, unique("S"), sid, null);
    }
    for (String sid : sids) {
      revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);
    }

    JsonPath log = events(token, Map.of()).then().statusCode(200).extract().jsonPath();

    assertThat(log.getList("items.sid", String.class)).containsExactlyElementsOf(sids);
    List<String> ids = log.getList("items.id", String.class);
    for (int i = 1; i < ids.size(); i++) {
      assertThat(compareStreamIds(ids.get(i), ids.get(i - 1)))
          .as("id %s after %s", ids.get(i), ids.get(i - 1))
          .isPositive();
    }
  }

  @Test
  void whenAfterIsGivenThenOnlyLaterEventsAreReturned() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String firstSid = unique("sid");
    String secondSid = unique("sid");
    registerOk(token, unique("S"), firstSid, null);
    registerOk(token, unique("S"), secondSid, null);
    revoke(adminToken(issuer), Map.of("sid", firstSid)).then().statusCode(200);
    revoke(adminToken(issuer), Map.of("sid", secondSid)).then().statusCode(200);
    String firstId = events(token, Map.of()).then().extract().path("items[0].id");

    events(token, Map.of("after", firstId))
        .then()
        .statusCode(200)
        .body("items.sid", contains(secondSid));
  }

  @Test
  void whenAfterIsTheLastIdThenNoEventsAndNoNext() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    registerOk(token, unique("S"), sid, null);
    String id =
        revoke(adminToken(issuer), Map.of("sid", sid))
            .then()
            .statusCode(200)
            .extract()
            .path("events[0].id");

    events(token, Map.of("after", id))
        .then()
        .statusCode(200)
        .body("items", empty())
        .body("next", equalTo(null));
  }

  @Test
  void whenAfterIsNotAnEventIdThenBadRequestProblem() {
    events(issuer.accessToken("app1"), Map.of("after", "yesterday"))
        .then()
        .statusCode(400)
        .header("Content-Type", startsWith("application/problem+json"))
        .body("status", equalTo(400));
  }

  @Test
  void whenLimitIsZeroThenBadRequest() {
    events(issuer.accessToken("app1"), Map.of("limit", 0)).then().statusCode(400);
  }

  @Test
  void whenAnotherClientsSessionIsRevokedThenTheCallerSeesNoEvent() {
    String clientId = unique("app");
    String sid = unique("sid");
    registerOk(issuer.accessToken(unique("app")), unique("S"), sid, null);
    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    events(issuer.accessToken(clientId), Map.of()).then().statusCode(200).body("items", empty());
  }

  @Test
  void whenAppReadsAnotherClientsEventsThenForbidden() {
    events(issuer.accessToken("app2"), Map.of("clientId", "app1"))
        .then()
        .statusCode(403)
        .header("Content-Type", startsWith("application/problem+json"));
  }

  @Test
  void whenAppNamesItsOwnClientIdThenItsEventsAreReturned() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    registerOk(token, unique("S"), sid, null);
    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    events(token, Map.of("clientId", clientId))
        .then()
        .statusCode(200)
        .body("items.sid", contains(sid));
  }

  @Test
  void whenAdminNamesAClientIdThenThatClientsEventsAreReturned() {
    String clientId = unique("app");
    String sid = unique("sid");
    registerOk(issuer.accessToken(clientId), unique("S"), sid, null);
    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    events(adminToken(issuer), Map.of("clientId", clientId))
        .then()
        .statusCode(200)
        .body("items.clientId", contains(clientId));
  }

  private static Response events(String token, Map<String, ?> params) {
    return given().auth().oauth2(token).queryParams(params).when().get("/api/v1/events");
  }

  /** Compares Redis stream ids {@code <ms>-<seq>} numerically. */
  private static int compareStreamIds(String a, String b) {
    String[] left = a.split("-");
    String[] right = b.split("-");
    int byMillis = Long.compare(Long.parseLong(left[0]), Long.parseLong(right[0]));
    return byMillis != 0
        ? byMillis
        : Long.compare(Long.parseLong(left[1]), Long.parseLong(right[1]));
  }
}
