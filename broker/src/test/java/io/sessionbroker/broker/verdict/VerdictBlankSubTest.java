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
 * A {@code sub} made of white space only (a space, U+2003 EM SPACE) passes {@code SubjectRule}: the
 * broker registers such a user's sessions and revokes the user by {@code sub}. The verdict must
 * then refuse the user's earlier tokens like any other revoked user's (SPEC §3.2).
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class VerdictBlankSubTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenAUserWhoseSubIsWhiteSpaceIsRevokedBySubThenTheirEarlierTokensAreRefused() {
    String sub = "\u2003";
    long now = Instant.now().getEpochSecond();
    String before = UserTokens.accessToken(issuer, "spa", unique("sid"), sub, now - 10, 300);
    String warm = UserTokens.accessToken(issuer, "spa", unique("sid"), "warm-user");
    Awaitility.await("the revocation view warm")
        .atMost(Duration.ofSeconds(30))
        .until(() -> verdict(warm).statusCode() == 200);
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

    Awaitility.await("the user's revocation in the view")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> verdict(before).statusCode() == 401);
  }

  private static Response verdict(String token) {
    return given().header("Authorization", "Bearer " + token).when().get("/api/v1/verdict");
  }
}
