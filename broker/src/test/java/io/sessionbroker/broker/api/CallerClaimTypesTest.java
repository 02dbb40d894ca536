package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * The REST API's caller is the token's {@code azp} (SPEC §3.2). CallerResolver reads it with {@code
 * String clientId = token.getClaim("azp")}: a signed access token whose {@code azp} is a number (or
 * any non-string) throws {@link ClassCastException}, answered 500 and logged at ERROR as a defect,
 * where a token that names no client is a clear 401/403.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class CallerClaimTypesTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenAzpIsANumberThenTheCallerIsRefusedWithA4xx() {
    JwtClaims claims = issuer.accessTokenClaims("app1");
    claims.setClaim("azp", 12);

    Response response =
        given().auth().oauth2(issuer.sign(claims)).when().get("/api/v1/sessions/some-session");

    assertThat(response.statusCode()).as(response.asString()).isIn(401, 403);
  }
}
