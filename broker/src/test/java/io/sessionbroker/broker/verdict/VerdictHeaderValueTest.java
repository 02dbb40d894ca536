package io.sessionbroker.broker.verdict;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.verdict.UserTokens.claims;
import static io.sessionbroker.broker.verdict.UserTokens.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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

  /**
   * The broker refuses such a token (docs/proxies.md): a proxy must not pass an unnamed user. A
   * {@code sub} with a control character or a leading {@code !} is no Keycloak user id.
   */
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
          claims(issuer, "spa", unique("sid"), "bob\u0085smith"),
          claims(issuer, "spa", unique("sid"), "!bob")
        }) {
      Response answer = verdict(issuer.sign(odd));

      assertThat(answer.statusCode()).isEqualTo(401);
      assertThat(answer.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
      assertThat(answer.header("X-Session-Broker-Sub")).isNull();
    }
  }

  /**
   * A user of a user-storage provider has the sub {@code f:<component>:<username>}, which may hold
   * spaces and any letter: the user is let through, named in the headers percent-encoded as UTF-8
   * (RFC 3986 §2.1; docs/proxies.md), so the value is header-safe and decodes to the exact sub.
   */
  @Test
  void aFederatedSubWithSpacesAndNonAsciiLettersIsAllowedAndPercentEncodedInTheHeaders() {
    Awaitility.await("the revocation view warm")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                verdict(issuer.sign(claims(issuer, "spa", unique("sid"), "carol"))).statusCode()
                    == 200);
    String sub = "f:4b1c0a9e:Jos\u00e9 {M\u00fcller} 100%";

    Response answer = verdict(issuer.sign(claims(issuer, "spa", unique("sid"), sub)));

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.header("X-Session-Broker-Sub"))
        .isEqualTo("f:4b1c0a9e:Jos%C3%A9%20{M%C3%BCller}%20100%25");
    assertThat(answer.header("X-Auth-Request-User"))
        .isEqualTo(answer.header("X-Session-Broker-Sub"));
    assertThat(URLDecoder.decode(answer.header("X-Session-Broker-Sub"), StandardCharsets.UTF_8))
        .isEqualTo(sub);
  }

  /** A logout of such a user by {@code sub} ends the verdict for the user's earlier tokens. */
  @Test
  void whenAFederatedUserIsLoggedOutBySubThenTheirTokensAreRefused() {
    String sub = "f:4b1c0a9e:{" + unique("Jos\u00e9") + "} \ud83d\ude00";
    long now = Instant.now().getEpochSecond();
    String before = UserTokens.accessToken(issuer, "spa", unique("sid"), sub, now - 10, 300);
    Awaitility.await("the revocation view warm")
        .atMost(Duration.ofSeconds(30))
        .until(() -> verdict(before).statusCode() == 200);
    registerASessionAndRevokeTheUser(sub);

    Awaitility.await("the user's revocation in the view")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> verdict(before).statusCode() == 401);
    assertThat(verdict(before).header("WWW-Authenticate")).contains("user_revoked");
  }

  /**
   * A {@code sub} made of white space only (a space, U+2003 EM SPACE) passes {@code SubjectRule}:
   * the broker registers such a user's sessions and revokes the user by {@code sub}. The verdict
   * must then refuse the user's earlier tokens like any other revoked user's (SPEC §3.2).
   */
  @Test
  void whenAUserWhoseSubIsWhiteSpaceIsRevokedBySubThenTheirEarlierTokensAreRefused() {
    String sub = "\u2003";
    long now = Instant.now().getEpochSecond();
    String before = UserTokens.accessToken(issuer, "spa", unique("sid"), sub, now - 10, 300);
    String warm = UserTokens.accessToken(issuer, "spa", unique("sid"), "warm-user");
    Awaitility.await("the revocation view warm")
        .atMost(Duration.ofSeconds(30))
        .until(() -> verdict(warm).statusCode() == 200);
    registerASessionAndRevokeTheUser(sub);

    Awaitility.await("the user's revocation in the view")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> verdict(before).statusCode() == 401);
  }

  /**
   * Registers a session of {@code sub} for app1 and revokes the user by {@code sub} as an admin: a
   * registered session, so the revocation has a client stream to reach the view by.
   */
  private void registerASessionAndRevokeTheUser(String sub) {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", unique("S"), "sid", unique("sid"), "sub", sub))
        .when()
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);

    given()
        .auth()
        .oauth2(issuer.accessToken("broker-admin", "session-broker-admin"))
        .contentType(ContentType.JSON)
        .body(Map.of("sub", sub))
        .when()
        .post("/api/v1/revocations")
        .then()
        .statusCode(200);
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
