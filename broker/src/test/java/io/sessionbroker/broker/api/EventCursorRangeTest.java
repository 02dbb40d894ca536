package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §5: "Bad input gets a clear error". {@code GET /api/v1/events?after=} accepts any {@code
 * \d{1,20}-\d{1,20}}, but Redis stream ids are two unsigned 64-bit numbers and the broker reads
 * after the id ("(" + id), so ids past 2^64-1, and the largest id itself, reach XRANGE and come
 * back as a Redis error: 500 internal_error, logged at ERROR with a stack trace.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class EventCursorRangeTest {

  @InjectTestIssuer TestIssuer issuer;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "99999999999999999999-0",
        "18446744073709551616-0",
        "18446744073709551615-18446744073709551615"
      })
  void whenAfterIsNotAUsableStreamIdThenBadRequestNotServerError(String after) {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("after", after)
        .when()
        .get("/api/v1/events")
        .then()
        .statusCode(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"18446744073709551615-0", "18446744073709551615-18446744073709551614"})
  void whenAfterIsNearTheLargestStreamIdThenAnEmptyPage(String after) {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("after", after)
        .when()
        .get("/api/v1/events")
        .then()
        .statusCode(200)
        .body("items", org.hamcrest.Matchers.empty());
  }
}
