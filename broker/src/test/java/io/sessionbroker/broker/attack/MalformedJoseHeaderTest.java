package io.sessionbroker.broker.attack;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §3.2/§5: an invalid token is 400; 500 is for defects. A JWS header whose {@code kid} is not
 * a string (a number, an array) makes jose4j's key selection throw ClassCastException before the
 * signature is checked, so anyone, with no key and no valid signature, gets 500 server_error and an
 * ERROR log line with a stack trace per request, on both Keycloak callback endpoints.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class MalformedJoseHeaderTest {

  @InjectTestIssuer TestIssuer issuer;

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A logout token of the configured issuer with the given kid JSON and a made-up signature. */
  private String unsignedLogoutToken(String kidJson) {
    long now = System.currentTimeMillis() / 1000;
    String claims =
        "{\"iss\":\""
            + issuer.url()
            + "\",\"aud\":\"app1\",\"iat\":"
            + now
            + ",\"exp\":"
            + (now + 120)
            + ",\"jti\":\""
            + UUID.randomUUID()
            + "\",\"sid\":\""
            + UUID.randomUUID()
            + "\",\"events\":{\""
            + TestIssuer.BACKCHANNEL_LOGOUT_EVENT
            + "\":{}}}";
    return b64("{\"alg\":\"RS256\",\"typ\":\"logout+jwt\",\"kid\":" + kidJson + "}")
        + "."
        + b64(claims)
        + ".AAAA";
  }

  @ParameterizedTest
  @ValueSource(strings = {"123", "[\"k\"]", "{\"a\":1}"})
  void whenLogoutTokenKidIsNotAStringThenInvalidRequest(String kidJson) {
    given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("logout_token", unsignedLogoutToken(kidJson))
        .when()
        .post("/backchannel-logout")
        .then()
        .statusCode(400)
        .body("error", equalTo("invalid_request"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"123", "[\"k\"]"})
  void whenAdminActionKidIsNotAStringThenInvalidRequest(String kidJson) {
    long now = System.currentTimeMillis() / 1000;
    String action =
        b64("{\"alg\":\"RS256\",\"kid\":" + kidJson + "}")
            + "."
            + b64(
                "{\"action\":\"PUSH_NOT_BEFORE\",\"resource\":\"app1\",\"notBefore\":"
                    + now
                    + ",\"expiration\":"
                    + (now + 30)
                    + ",\"id\":\""
                    + UUID.randomUUID()
                    + "\"}")
            + ".AAAA";
    given()
        .contentType("text/plain")
        .body(action)
        .when()
        .post("/keycloak/test/k_push_not_before")
        .then()
        .statusCode(400)
        .body("error", equalTo("invalid_request"));
  }
}
