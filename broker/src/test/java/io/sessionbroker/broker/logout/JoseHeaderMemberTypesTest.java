package io.sessionbroker.broker.logout;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §3.2/§5: an invalid token is 400; 500 is for defects. A JOSE header member of the wrong JSON
 * type ({@code kid} a number, an array or an object; {@code typ} a number; {@code alg} a number)
 * used to reach a cast in jose4j or in the broker: ClassCastException, 500 server_error and an
 * ERROR stack trace per request, for {@code kid} without any valid signature. Each is a token rule
 * violation naming the member, on both Keycloak callback endpoints.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class JoseHeaderMemberTypesTest {

  @InjectTestIssuer TestIssuer issuer;

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private String logoutClaims() {
    long now = System.currentTimeMillis() / 1000;
    return "{\"iss\":\""
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
  }

  /** A logout token of the configured issuer with the given header and a made-up signature. */
  private String unsignedLogoutToken(String headerJson) {
    return b64(headerJson) + "." + b64(logoutClaims()) + ".AAAA";
  }

  private static void assertInvalidRequest(
      io.restassured.response.Response response, String member) {
    response
        .then()
        .statusCode(400)
        .body("error", equalTo("invalid_request"))
        .body("error_description", containsString("header " + member));
  }

  @ParameterizedTest
  @ValueSource(strings = {"123", "[\"k\"]", "{\"a\":1}"})
  void whenLogoutTokenKidIsNotAStringThenInvalidRequest(String kidJson) {
    assertInvalidRequest(
        LogoutFixtures.postLogoutToken(
            unsignedLogoutToken(
                "{\"alg\":\"RS256\",\"typ\":\"logout+jwt\",\"kid\":" + kidJson + "}")),
        "kid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"alg", "cty", "x5t"})
  void whenAnotherReadHeaderMemberIsNotAStringThenInvalidRequest(String member) {
    String header =
        "alg".equals(member)
            ? "{\"alg\":256,\"kid\":\"k\"}"
            : "{\"alg\":\"RS256\",\"kid\":\"k\",\"" + member + "\":1}";
    assertInvalidRequest(LogoutFixtures.postLogoutToken(unsignedLogoutToken(header)), member);
  }

  /**
   * A numeric {@code typ} reached the broker's own read of the header only after the signature was
   * verified, so this token is validly signed with the issuer's current key.
   */
  @Test
  void whenASignedLogoutTokenHasANumericTypThenInvalidRequest() throws JoseException {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(logoutClaims());
    jws.setKey(issuer.signingKey().getPrivateKey());
    jws.setKeyIdHeaderValue(issuer.signingKey().getKeyId());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    jws.getHeaders().setObjectHeaderValue("typ", 1);

    assertInvalidRequest(LogoutFixtures.postLogoutToken(jws.getCompactSerialization()), "typ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"kid\":123", "\"kid\":[\"k\"]", "\"kid\":\"k\",\"typ\":7"})
  void whenAnAdminActionHeaderMemberHasTheWrongTypeThenInvalidRequest(String members) {
    long now = System.currentTimeMillis() / 1000;
    String action =
        b64("{\"alg\":\"RS256\"," + members + "}")
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
    assertInvalidRequest(
        given()
            .contentType("text/plain")
            .body(action)
            .when()
            .post("/keycloak/test/k_push_not_before"),
        members.contains("typ") ? "typ" : "kid");
  }
}
