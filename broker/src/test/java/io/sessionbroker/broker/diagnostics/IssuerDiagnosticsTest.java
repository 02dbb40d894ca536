package io.sessionbroker.broker.diagnostics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(DiagnosticsTestResources.class)
class IssuerDiagnosticsTest {

  @InjectTestIssuer TestIssuer issuer;

  private String admin() {
    return issuer.accessToken("ops", "session-broker-admin");
  }

  @Test
  void whenTheIssuerIsReachableThenEveryStepPasses() {
    given()
        .auth()
        .oauth2(admin())
        .get("/api/v1/diagnostics")
        .then()
        .statusCode(200)
        .body("ok", equalTo(false))
        .body("issuers.find { it.alias == 'test' }.ok", equalTo(true))
        .body(
            "issuers.find { it.alias == 'test' }.steps.name",
            equalTo(java.util.List.of("discovery", "issuer", "jwks", "keys")));
  }

  @Test
  void whenKeycloakIsBehindAnUntrustedCaThenTheReportNamesTheCertificateAndTheFix() {
    given()
        .auth()
        .oauth2(admin())
        .get("/api/v1/diagnostics")
        .then()
        .statusCode(200)
        .body("issuers.find { it.alias == 'private' }.ok", equalTo(false))
        .body(
            "issuers.find { it.alias == 'private' }.steps[0].detail",
            containsString("does not trust the TLS certificate"))
        .body(
            "issuers.find { it.alias == 'private' }.steps[0].detail",
            containsString("CN=keycloak.private.test"))
        .body(
            "issuers.find { it.alias == 'private' }.steps[0].detail",
            containsString("trust store"));
  }

  @Test
  void whenNothingListensThenTheReportSaysSo() {
    given()
        .auth()
        .oauth2(admin())
        .get("/api/v1/diagnostics")
        .then()
        .body(
            "issuers.find { it.alias == 'nowhere' }.steps[0].detail",
            containsString("no connection to 127.0.0.1"));
  }

  @Test
  void whenKeycloakCallsItselfByAnotherUrlThenTheReportExplainsTheIssuerMismatch() {
    given()
        .auth()
        .oauth2(admin())
        .get("/api/v1/diagnostics")
        .then()
        .body("issuers.find { it.alias == 'renamed' }.steps[1].name", equalTo("issuer"))
        .body(
            "issuers.find { it.alias == 'renamed' }.steps[1].detail",
            containsString("frontend URL"));
  }

  @Test
  void whenTheCallerIsNoAdminThenForbidden() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .get("/api/v1/diagnostics")
        .then()
        .statusCode(403);
  }

  @Test
  void whenKeycloakNamesItselfWithATrailingSlashThenTheIssuerStepFailsAsTheKeyCacheWould()
      throws Exception {
    java.util.Map<String, Object> document = issuer.discoveryDocument();
    document.put("issuer", issuer.url() + "/");
    issuer.answerDiscoveryWith(
        200,
        "application/json",
        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(document));
    try {
      given()
          .auth()
          .oauth2(admin())
          .get("/api/v1/diagnostics")
          .then()
          .statusCode(200)
          .body("issuers.find { it.alias == 'test' }.ok", equalTo(false))
          .body("issuers.find { it.alias == 'test' }.steps[1].name", equalTo("issuer"))
          .body("issuers.find { it.alias == 'test' }.steps[1].ok", equalTo(false))
          .body(
              "issuers.find { it.alias == 'test' }.steps[1].detail",
              containsString(issuer.url() + "/"));
    } finally {
      issuer.answerDiscoveryNormally();
    }
  }
}
