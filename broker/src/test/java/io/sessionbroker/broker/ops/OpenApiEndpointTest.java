package io.sessionbroker.broker.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasKey;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.sessionbroker.broker.testing.BrokerTestResources;
import org.junit.jupiter.api.Test;

/** SPEC §3.2: /q/openapi documents the public endpoints. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class OpenApiEndpointTest {

  @Test
  void whenOpenApiIsAskedThenSessionEndpointsAreListed() {
    openApi()
        .body("paths", hasKey("/api/v1/sessions"))
        .body("paths", hasKey("/api/v1/sessions/{sessionId}"));
  }

  @Test
  void whenOpenApiIsAskedThenRevocationsAreListed() {
    openApi().body("paths", hasKey("/api/v1/revocations"));
  }

  @Test
  void whenOpenApiIsAskedThenEventsAreListed() {
    openApi().body("paths", hasKey("/api/v1/events"));
  }

  @Test
  void whenOpenApiIsAskedThenBackchannelLogoutIsListed() {
    openApi().body("paths", hasKey("/backchannel-logout"));
  }

  @Test
  void whenOpenApiIsAskedThenSessionRegistrationIsAPost() {
    openApi().body("paths.'/api/v1/sessions'", hasKey("post"));
  }

  private static ValidatableResponse openApi() {
    return given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200);
  }
}
