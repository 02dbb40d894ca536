package io.sessionbroker.broker.verdict;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.verdict.UserTokens.unique;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Behind a proxy that asks the verdict (docs/proxies.md), apps need not register sessions. An
 * administrator's revocation (POST /api/v1/revocations, SPEC §3.2) of such a user or SSO session
 * must still refuse the tokens issued before it: the verdict answers 401 when the token's sid or
 * sub was revoked after its iat.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class VerdictAdminRevocationWithoutRegistrationsTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenAnAdminRevokesAnUnregisteredUserThenTheirEarlierTokensAreRefused() {
    String sub = unique("user");
    long now = Instant.now().getEpochSecond();
    String before = UserTokens.accessToken(issuer, "spa", unique("sid"), sub, now - 10, 300);
    Awaitility.await("the revocation view warm")
        .atMost(Duration.ofSeconds(30))
        .until(() -> verdict(before).statusCode() == 200);

    revoke(Map.of("sub", sub));

    Awaitility.await("the user's revocation in the view")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> verdict(before).statusCode() == 401);
  }

  @Test
  void whenAnAdminRevokesAnUnregisteredSidThenItsEarlierTokensAreRefused() {
    String sid = unique("sid");
    long now = Instant.now().getEpochSecond();
    String before = UserTokens.accessToken(issuer, "spa", sid, unique("user"), now - 10, 300);
    Awaitility.await("the revocation view warm")
        .atMost(Duration.ofSeconds(30))
        .until(() -> verdict(before).statusCode() == 200);

    revoke(Map.of("sid", sid));

    Awaitility.await("the session's revocation in the view")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> verdict(before).statusCode() == 401);
  }

  private void revoke(Map<String, String> body) {
    given()
        .auth()
        .oauth2(issuer.accessToken("broker-admin", "session-broker-admin"))
        .contentType(ContentType.JSON)
        .body(body)
        .when()
        .post("/api/v1/revocations")
        .then()
        .statusCode(200);
  }

  private static Response verdict(String token) {
    return given().header("Authorization", "Bearer " + token).when().get("/api/v1/verdict");
  }
}
