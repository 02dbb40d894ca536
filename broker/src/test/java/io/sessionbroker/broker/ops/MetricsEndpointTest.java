package io.sessionbroker.broker.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.net.URL;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3.2: /q/metrics in Prometheus format, with the broker's own counters, on the management
 * interface (not on the API port).
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class MetricsEndpointTest {

  private static final Pattern STORED_REGISTRATIONS =
      Pattern.compile(
          "(?m)^sessionbroker_registrations_total\\{[^}]*outcome=\"stored\"[^}]*\\} (\\S+)$");

  @InjectTestIssuer TestIssuer issuer;

  // Relative to the management root path (/q).
  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @TestHTTPResource("/q/metrics")
  URL metricsOnTheApiPort;

  @Test
  void whenASessionIsRegisteredThenTheRegistrationsCounterGrowsByOne() {
    register();
    double before = storedRegistrations();

    register();

    assertThat(storedRegistrations()).isEqualTo(before + 1);
  }

  @Test
  void whenMetricsAreScrapedThenTheyAreInPrometheusTextFormat() {
    register();

    String body = given().when().get(metrics).then().statusCode(200).extract().asString();

    assertThat(body).containsPattern("(?m)^# TYPE sessionbroker_registrations(_total)? counter$");
  }

  @Test
  void whenMetricsAreAskedOnTheApiPortThenTheyAreNotThere() {
    given().when().get(metricsOnTheApiPort).then().statusCode(404);
  }

  private void register() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", "S-" + UUID.randomUUID(), "sid", "sid-" + UUID.randomUUID()))
        .when()
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
  }

  private double storedRegistrations() {
    String body = given().when().get(metrics).then().statusCode(200).extract().asString();
    Matcher matcher = STORED_REGISTRATIONS.matcher(body);
    assertThat(matcher.find()).as("sessionbroker_registrations_total{outcome=stored}").isTrue();
    return Double.parseDouble(matcher.group(1));
  }
}
