package io.sessionbroker.broker.logout;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.logout.LogoutFixtures.postLogoutToken;
import static io.sessionbroker.broker.logout.LogoutFixtures.registerActive;
import static io.sessionbroker.broker.logout.LogoutFixtures.sessionStatus;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

/**
 * A signed token whose {@code exp} or {@code iat} is a whole number of seconds too large to be
 * counted in milliseconds (above 2^63 / 1000, about 9.2e15 s) breaks a token rule: SPEC §3.2 wants
 * a clear 400 for an invalid token, and §5 keeps 500 for defects. The broker counts those claims in
 * milliseconds with jose4j's {@code NumericDate.getValueInMillis()}, which throws {@link
 * ArithmeticException} on overflow.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class NumericDateOverflowTest {

  /** Seconds whose milliseconds do not fit in a long. */
  private static final long TOO_LARGE_FOR_MILLIS = 10_000_000_000_000_000L;

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void logoutTokenWithExpTooLargeForMillisIsRefusedWith400AndChangesNothing() {
    String sid = unique("sid");
    String sessionId = unique("S");
    registerActive(issuer, "app1", sessionId, sid, null);
    JwtClaims claims = issuer.logoutTokenClaims("app1", sid, null);
    claims.setExpirationTime(NumericDate.fromSeconds(TOO_LARGE_FOR_MILLIS));

    Response response = postLogoutToken(issuer.sign(claims, "logout+jwt"));

    assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
    assertThat(response.<String>path("error")).isEqualTo("invalid_request");
    assertThat(sessionStatus(issuer, "app1", sessionId)).isEqualTo("active");
  }

  @Test
  void logoutTokenWithIatTooLargeForMillisIsRefusedWith400() {
    JwtClaims claims = issuer.logoutTokenClaims("app1", unique("sid"), null);
    claims.setIssuedAt(NumericDate.fromSeconds(TOO_LARGE_FOR_MILLIS));

    Response response = postLogoutToken(issuer.sign(claims, "logout+jwt"));

    assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
    assertThat(response.<String>path("error")).isEqualTo("invalid_request");
  }

  @Test
  void idTokenWithExpTooLargeForMillisIsRefusedWith400() {
    JwtClaims claims = issuer.idTokenClaims("app1", unique("sid"), unique("user"));
    claims.setExpirationTime(NumericDate.fromSeconds(TOO_LARGE_FOR_MILLIS));

    Response response =
        given()
            .auth()
            .oauth2(issuer.accessToken("app1"))
            .contentType(ContentType.JSON)
            .body(Map.of("sessionId", unique("S"), "idToken", issuer.sign(claims)))
            .when()
            .post("/api/v1/sessions");

    assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
  }
}
