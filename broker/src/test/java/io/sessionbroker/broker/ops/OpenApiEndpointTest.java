package io.sessionbroker.broker.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasKey;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.sessionbroker.broker.testing.BrokerTestResources;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3.2: /q/openapi documents the public endpoints; it is served on the management interface,
 * not on the API port.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class OpenApiEndpointTest {

  // Relative to the management root path (/q).
  @TestHTTPResource(value = "openapi", management = true)
  URL openApi;

  @TestHTTPResource("/q/openapi")
  URL openApiOnTheApiPort;

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

  @Test
  void whenOpenApiIsAskedOnTheApiPortThenItIsNotThere() {
    given().queryParam("format", "json").when().get(openApiOnTheApiPort).then().statusCode(404);
  }

  private ValidatableResponse openApi() {
    return given().queryParam("format", "json").when().get(openApi).then().statusCode(200);
  }
}
