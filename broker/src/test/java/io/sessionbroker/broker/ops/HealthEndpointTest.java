package io.sessionbroker.broker.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3.2: readiness covers Redis and the issuers' signing keys; liveness answers. Health is on
 * the management interface, not on the API port.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class HealthEndpointTest {

  // Relative to the management root path (/q).
  @TestHTTPResource(value = "health", management = true)
  URL health;

  @TestHTTPResource(value = "/q/health/ready")
  URL readyOnTheApiPort;

  @Test
  void whenRedisAndIssuersAreUpThenReadyIsUp() {
    given().when().get(health + "/ready").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void whenReadyIsAskedThenItListsTheRedisCheckAsUp() {
    given()
        .when()
        .get(health + "/ready")
        .then()
        .body("checks.find { it.name.toLowerCase().contains('redis') }.status", equalTo("UP"));
  }

  @Test
  void whenReadyIsAskedThenIssuerKeysCheckReportsEveryIssuerLoaded() {
    given()
        .when()
        .get(health + "/ready")
        .then()
        .body("checks.name", hasItem("issuer-keys"))
        .body("checks.find { it.name == 'issuer-keys' }.status", equalTo("UP"))
        .body("checks.find { it.name == 'issuer-keys' }.data.test", equalTo("loaded"))
        .body("checks.find { it.name == 'issuer-keys' }.data.other", equalTo("loaded"));
  }

  @Test
  void whenLiveIsAskedThenUp() {
    given().when().get(health + "/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void whenHealthIsAskedWithoutTokenThenItIsNotBehindTheApiAuth() {
    given()
        .when()
        .get(health)
        .then()
        .statusCode(200)
        .header("Content-Type", startsWith("application/json"));
  }

  @Test
  void whenHealthIsAskedOnTheApiPortThenItIsNotThere() {
    given().when().get(readyOnTheApiPort).then().statusCode(404);
  }
}
