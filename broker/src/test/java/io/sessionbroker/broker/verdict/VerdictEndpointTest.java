package io.sessionbroker.broker.verdict;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.verdict.UserTokens.accessToken;
import static io.sessionbroker.broker.verdict.UserTokens.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/verdict} against real Redis and the in-test issuers (SPEC §3.2 "Revocation
 * check for proxies and APIs").
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class VerdictEndpointTest {

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @InjectTestIssuer("other")
  TestIssuer allowListIssuer;

  @Inject MeterRegistry metrics;

  private String sid;
  private String sub;

  @BeforeEach
  void freshIds() {
    sid = unique("sid");
    sub = unique("user");
  }

  @Test
  void whenTheTokenIsLiveThenOkWithTheUserForTheProxy() {
    Response response = verdict(accessToken(issuer, "spa", sid, sub));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.header("X-Auth-Request-User")).isEqualTo(sub);
    assertThat(response.header("X-Session-Broker-Sub")).isEqualTo(sub);
    assertThat(response.header("X-Session-Broker-Sid")).isEqualTo(sid);
    assertThat(response.header("X-Session-Broker-Client")).isEqualTo("spa");
    assertThat(response.header("X-Session-Broker-Issuer")).isEqualTo("test");
    assertThat(response.header("Cache-Control")).isEqualTo("no-store");
    assertThat(response.asString()).isEmpty();
  }

  @Test
  void whenItsSidIsLoggedOutThenTheSameTokenIsRefused() {
    String token = accessToken(issuer, "spa", sid, sub);
    assertThat(verdict(token).statusCode()).isEqualTo(200);

    logOut("spa", sid, sub);

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> verdict(token).statusCode() == 401);
    Response refused = verdict(token);
    assertThat(refused.header("WWW-Authenticate"))
        .isEqualTo("Bearer error=\"invalid_token\", error_description=\"session_revoked\"");
    assertThat(refused.header("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  void whenTheSidIsLoggedOutThroughAnotherClientThenTheTokenIsRefusedToo() {
    String token = accessToken(issuer, "spa", sid, sub);

    logOut("app1", sid, sub);

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> verdict(token).statusCode() == 401);
  }

  @Test
  void whenAnotherSessionIsLoggedOutThenTheTokenStillPasses() {
    String token = accessToken(issuer, "spa", sid, sub);
    String otherSid = unique("sid");
    String otherToken = accessToken(issuer, "spa", otherSid, unique("user"));

    logOut("spa", otherSid, null);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> verdict(otherToken).statusCode() == 401);

    assertThat(verdict(token).statusCode()).isEqualTo(200);
  }

  @Test
  void whenTheTokenWasIssuedAfterItsSidWasRevokedThenItPasses() {
    logOut("spa", sid, sub);
    String old = accessToken(issuer, "spa", sid, sub, Instant.now().getEpochSecond() - 10, 300);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> verdict(old).statusCode() == 401);

    // Keycloak keeps the sid when a user signs in again after a client-only logout.
    String later = accessToken(issuer, "spa", sid, sub, Instant.now().getEpochSecond() + 2, 300);

    assertThat(verdict(later).statusCode()).isEqualTo(200);
  }

  @Test
  void whenTheUserIsRevokedThenTokensIssuedBeforeAreRefusedAndLaterOnesPass() {
    registerSession("app1", sid, sub);
    long now = Instant.now().getEpochSecond();
    String before = accessToken(issuer, "spa", unique("sid"), sub, now - 10, 300);

    given()
        .auth()
        .oauth2(issuer.accessToken("broker-admin", "session-broker-admin"))
        .contentType(ContentType.JSON)
        .body(Map.of("sub", sub))
        .when()
        .post("/api/v1/revocations")
        .then()
        .statusCode(200);

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> verdict(before).statusCode() == 401);
    assertThat(verdict(before).header("WWW-Authenticate")).contains("user_revoked");
    String after = accessToken(issuer, "spa", unique("sid"), sub, now + 2, 300);
    assertThat(verdict(after).statusCode()).isEqualTo(200);
  }

  @Test
  void whenEnvoyAppendsTheOriginalPathAndMethodThenTheVerdictIsTheSame() {
    String token = accessToken(issuer, "spa", sid, sub);

    Response response =
        given()
            .header("Authorization", "Bearer " + token)
            .when()
            .post("/api/v1/verdict/orders/42?x=1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.header("X-Session-Broker-Sid")).isEqualTo(sid);
  }

  @Test
  void whenThereIsNoTokenThen401WithABareBearerChallenge() {
    Response response = given().when().get("/api/v1/verdict");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer");
  }

  @Test
  void whenTheTokenIsSignedWithAnUnpublishedKeyThen401() {
    String forged =
        TestIssuer.sign(
            UserTokens.claims(issuer, "spa", sid, sub), "JWT", TestIssuer.unpublishedKey());

    assertRefused(verdict(forged), "invalid_token");
  }

  @Test
  void whenThePayloadOfASignedTokenIsSwappedThen401() {
    String[] genuine = accessToken(issuer, "spa", sid, sub).split("\\.");
    String[] other = accessToken(issuer, "spa", unique("sid"), "admin").split("\\.");

    assertRefused(verdict(genuine[0] + "." + other[1] + "." + genuine[2]), "invalid_token");
  }

  @Test
  void whenTheTokenIsAnIdTokenThen401() {
    assertRefused(verdict(issuer.idToken("spa", sid, sub)), "not_access_token");
  }

  @Test
  void whenTheTokenIsALogoutTokenThen401() {
    assertRefused(verdict(issuer.logoutToken("spa", sid, sub)), "not_access_token");
  }

  @Test
  void whenTheTokenIsARefreshTokenThen401() {
    JwtClaims claims = UserTokens.claims(issuer, "spa", sid, sub);
    claims.setClaim("typ", "Refresh");

    assertRefused(verdict(issuer.sign(claims)), "not_access_token");
  }

  @Test
  void whenTheTokenHasExpiredThen401() {
    long longAgo = Instant.now().getEpochSecond() - 600;

    assertRefused(verdict(accessToken(issuer, "spa", sid, sub, longAgo, 300)), "expired");
  }

  @Test
  void whenTheTokenLivesLongerThanTheMaxTokenLifetimeThen401() {
    long now = Instant.now().getEpochSecond();

    assertRefused(
        verdict(accessToken(issuer, "spa", sid, sub, now, Duration.ofHours(2).toSeconds())),
        "lifetime");
  }

  @Test
  void whenTheIssuerDiffersByATrailingSlashThen401() {
    JwtClaims claims = UserTokens.claims(issuer, "spa", sid, sub);
    claims.setIssuer(issuer.url() + "/");

    assertRefused(verdict(issuer.sign(claims)), "invalid_token");
  }

  @Test
  void whenTheClientIsNotInTheIssuersAllowListThen401() {
    assertThat(verdict(accessToken(allowListIssuer, "app1", sid, sub)).statusCode()).isEqualTo(200);

    assertRefused(verdict(accessToken(allowListIssuer, "app2", sid, sub)), "invalid_token");
  }

  @Test
  void whenVerdictsAreGivenThenTheCountersByReasonGrow() {
    double allowed = count("allowed", "none");
    double revoked = count("refused", "session_revoked");
    double noToken = count("refused", "no_token");
    String token = accessToken(issuer, "spa", sid, sub);

    verdict(token);
    verdict(token);
    given().when().get("/api/v1/verdict");
    logOut("spa", sid, sub);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> verdict(token).statusCode() == 401);

    assertThat(count("allowed", "none")).isGreaterThanOrEqualTo(allowed + 2);
    assertThat(count("refused", "session_revoked")).isGreaterThanOrEqualTo(revoked + 1);
    assertThat(count("refused", "no_token")).isEqualTo(noToken + 1);
  }

  @Test
  void whenTheTokenIsRefusedThenNoPartOfItIsEchoed() {
    String token = issuer.idToken("spa", sid, sub);
    Response response = verdict(token);

    assertThat(response.statusCode()).isEqualTo(401);
    String everything = response.headers().toString() + response.asString();
    for (String part : token.split("\\.")) {
      assertThat(everything).doesNotContain(part);
    }
  }

  private double count(String outcome, String reason) {
    return metrics.counter("sessionbroker.verdicts", "outcome", outcome, "reason", reason).count();
  }

  private static Response verdict(String token) {
    return given().header("Authorization", "Bearer " + token).when().get("/api/v1/verdict");
  }

  private static void assertRefused(Response response, String reason) {
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.header("WWW-Authenticate"))
        .isEqualTo("Bearer error=\"invalid_token\", error_description=\"" + reason + "\"");
    assertThat(response.header("X-Auth-Request-User")).isNull();
  }

  private void logOut(String clientId, String sid, String sub) {
    given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", issuer.logoutToken(clientId, sid, sub))
        .when()
        .post("/backchannel-logout")
        .then()
        .statusCode(200);
  }

  private void registerSession(String clientId, String sid, String sub) {
    given()
        .auth()
        .oauth2(issuer.accessToken(clientId))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", unique("S"), "sid", sid, "sub", sub))
        .when()
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
  }
}
