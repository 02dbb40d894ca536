package io.sessionbroker.broker.verdict;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.verdict.UserTokens.claims;
import static io.sessionbroker.broker.verdict.UserTokens.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/verdict} copies a live token's {@code sub}, {@code sid} and {@code azp} into
 * response headers for the proxy (VerdictRoute#answer). A claim that is no valid header value (a
 * line break, a NUL) makes Vert.x throw from {@code putHeader} on the event loop: the exception is
 * "uncaught", and the proxy gets no answer at all, waiting until its own timeout (SPEC §3.2: 200
 * when the session is live, 401 otherwise; never silence).
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class VerdictHeaderValueTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenTheSubIsNoValidHeaderValueThenTheVerdictIsStillAnswered() {
    Awaitility.await("the revocation view warm")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                verdict(issuer.sign(claims(issuer, "spa", unique("sid"), "alice"))).statusCode()
                    == 200);
    JwtClaims odd = claims(issuer, "spa", unique("sid"), "alice\nX-Injected: 1");

    Response answer = verdict(issuer.sign(odd));

    assertThat(answer.statusCode()).isIn(200, 401);
    assertThat(answer.header("X-Injected")).isNull();
  }

  /** The broker refuses such a token (docs/proxies.md): a proxy must not pass an unnamed user. */
  @Test
  void aSidOrSubThatIsNoValidHeaderValueIsRefusedAsAnInvalidToken() {
    Awaitility.await("the revocation view warm")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                verdict(issuer.sign(claims(issuer, "spa", unique("sid"), "bob"))).statusCode()
                    == 200);
    for (JwtClaims odd :
        new JwtClaims[] {
          claims(issuer, "spa", unique("sid") + "\u0000", "bob"),
          claims(issuer, "spa", unique("sid"), "bob\r\nX-Injected: 1"),
          claims(issuer, "spa", unique("sid"), "bob smith")
        }) {
      Response answer = verdict(issuer.sign(odd));

      assertThat(answer.statusCode()).isEqualTo(401);
      assertThat(answer.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
      assertThat(answer.header("X-Session-Broker-Sub")).isNull();
    }
  }

  private static Response verdict(String token) {
    return given()
        .config(
            RestAssured.config()
                .httpClient(
                    HttpClientConfig.httpClientConfig()
                        .setParam("http.socket.timeout", 10_000)
                        .setParam("http.connection.timeout", 10_000)))
        .header("Authorization", "Bearer " + token)
        .when()
        .get("/api/v1/verdict");
  }
}
