package io.sessionbroker.broker.diagnostics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * A failure to fetch an issuer's keys is not a verdict on the token (SPEC §4, §5): a logout token,
 * or an ID token at registration, of an issuer whose JWKS cannot be fetched (untrusted private CA,
 * nothing listening) is answered 503 saying why, never 400.
 */
@QuarkusTest
@WithTestResource(DiagnosticsTestResources.class)
class UnfetchableKeysTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenTheIssuersCertificateIsNotTrustedThenALogoutTokenIsUnavailableNamingTrust() {
    String token = logoutTokenOf("private");

    Response response = postLogoutToken(token);

    assertUnavailable(response, "private", token);
    assertThat(response.jsonPath().getString("error_description")).containsIgnoringCase("trust");
  }

  @Test
  void whenNothingListensAtTheIssuerThenALogoutTokenIsUnavailableNamingTheConnection() {
    String token = logoutTokenOf("nowhere");

    Response response = postLogoutToken(token);

    assertUnavailable(response, "nowhere", token);
    assertThat(response.jsonPath().getString("error_description")).containsIgnoringCase("connect");
  }

  @Test
  void whenTheIdTokensIssuerKeysCannotBeFetchedThenRegistrationIsUnavailable() {
    JwtClaims claims = issuer.idTokenClaims("app1", "sid-" + UUID.randomUUID(), "user");
    claims.setIssuer(urlOf("private"));
    String idToken = TestIssuer.sign(claims, "JWT", TestIssuer.unpublishedKey());

    Response response =
        given()
            .auth()
            .oauth2(issuer.accessToken("app1"))
            .contentType(ContentType.JSON)
            .body(Map.of("sessionId", "S-" + UUID.randomUUID(), "idToken", idToken))
            .when()
            .post("/api/v1/sessions");

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(503);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.jsonPath().getString("detail"))
        .contains("the signing keys of issuer 'private' cannot be fetched")
        .doesNotContain(idToken.split("\\.")[1]);
  }

  private String logoutTokenOf(String alias) {
    JwtClaims claims = issuer.logoutTokenClaims("app1", "sid-" + UUID.randomUUID(), "user");
    claims.setIssuer(urlOf(alias));
    return TestIssuer.sign(claims, "logout+jwt", TestIssuer.unpublishedKey());
  }

  private static String urlOf(String alias) {
    return org.eclipse.microprofile.config.ConfigProvider.getConfig()
        .getValue("session-broker.issuers." + alias + ".url", String.class);
  }

  private static Response postLogoutToken(String token) {
    return given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", token)
        .when()
        .post("/backchannel-logout");
  }

  private static void assertUnavailable(Response response, String alias, String token) {
    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(503);
    assertThat(response.jsonPath().getString("error")).isEqualTo("temporarily_unavailable");
    String description = response.jsonPath().getString("error_description");
    assertThat(description)
        .startsWith("the signing keys of issuer '" + alias + "' cannot be fetched: ");
    for (String part : token.split("\\.")) {
      assertThat(description).doesNotContain(part);
    }
  }
}
