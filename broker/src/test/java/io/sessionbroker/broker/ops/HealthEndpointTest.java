package io.sessionbroker.broker.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import org.junit.jupiter.api.Test;

/** SPEC §3.2: readiness covers Redis and the issuers' signing keys; liveness answers. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class HealthEndpointTest {

  @Test
  void whenRedisAndIssuersAreUpThenReadyIsUp() {
    given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void whenReadyIsAskedThenItListsTheRedisCheckAsUp() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name.toLowerCase().contains('redis') }.status", equalTo("UP"));
  }

  @Test
  void whenReadyIsAskedThenIssuerKeysCheckReportsEveryIssuerLoaded() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .body("checks.name", hasItem("issuer-keys"))
        .body("checks.find { it.name == 'issuer-keys' }.status", equalTo("UP"))
        .body("checks.find { it.name == 'issuer-keys' }.data.test", equalTo("loaded"))
        .body("checks.find { it.name == 'issuer-keys' }.data.other", equalTo("loaded"));
  }

  @Test
  void whenLiveIsAskedThenUp() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void whenHealthIsAskedWithoutTokenThenItIsNotBehindTheApiAuth() {
    given()
        .when()
        .get("/q/health")
        .then()
        .statusCode(200)
        .header("Content-Type", startsWith("application/json"));
  }
}
