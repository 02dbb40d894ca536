package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GET /api/v1/events over a stream that holds an entry no reader can read (not JSON): the client
 * libraries skip such an entry and go on; the HTTP catch-up must not stop at it either, or every
 * revocation behind it is withheld from apps that catch up over HTTP until retention trims it.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class EventApiUnreadableEntryTest {

  @InjectTestIssuer TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Test
  void whenAnEntryIsNotJsonThenTheEventsBehindItAreStillServed() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    registerOk(token, unique("S"), sid, null);
    redis.execute("XADD", "sb:events:test:" + clientId, "*", "event", "not json");

    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/api/v1/events")
        .then()
        .statusCode(200)
        .body("items.sid", hasItem(sid));
  }

  @Test
  void whenAPageHoldsOnlyAnUnreadableEntryThenItIsEmptyAndItsNextMovesPastIt() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    registerOk(token, unique("S"), sid, null);
    redis.execute("XADD", "sb:events:test:" + clientId, "*", "other", "{\"v\":1}");
    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    String next =
        given()
            .auth()
            .oauth2(token)
            .queryParam("limit", 1)
            .when()
            .get("/api/v1/events")
            .then()
            .statusCode(200)
            .body("items", empty())
            .body("next", notNullValue())
            .extract()
            .path("next");

    given()
        .auth()
        .oauth2(token)
        .queryParam("limit", 1)
        .queryParam("after", next)
        .when()
        .get("/api/v1/events")
        .then()
        .statusCode(200)
        .body("items", hasSize(1))
        .body("items.sid", hasItem(sid));
  }
}
