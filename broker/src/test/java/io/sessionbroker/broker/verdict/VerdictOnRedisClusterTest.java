package io.sessionbroker.broker.verdict;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.verdict.UserTokens.accessToken;
import static io.sessionbroker.broker.verdict.UserTokens.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.broker.topology.ClusterTestResources;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The verdict on a real 3-master Redis Cluster: no pattern subscription there, so the view polls
 * each client's stream on its own node (every {@code poll-interval}, 1 s by default).
 */
@QuarkusTest
@WithTestResource(ClusterTestResources.class)
class VerdictOnRedisClusterTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenAClientRegisteredAtRuntimeLogsOutOnAClusterThenItsTokenIsRefusedWithinThePollInterval() {
    String client = unique("cluster-app");
    String sid = unique("sid");
    String sub = unique("user");
    given()
        .auth()
        .oauth2(issuer.accessToken(client))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", unique("S"), "sid", sid, "sub", sub))
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
    String token = accessToken(issuer, client, sid, sub);
    assertThat(verdict(token)).isEqualTo(200);

    given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", issuer.logoutToken(client, sid, sub))
        .post("/backchannel-logout")
        .then()
        .statusCode(200);

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> verdict(token) == 401);
  }

  private static int verdict(String token) {
    return given()
        .header("Authorization", "Bearer " + token)
        .when()
        .get("/api/v1/verdict")
        .statusCode();
  }
}
