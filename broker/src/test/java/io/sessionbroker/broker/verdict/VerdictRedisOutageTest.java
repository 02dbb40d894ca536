package io.sessionbroker.broker.verdict;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.verdict.UserTokens.accessToken;
import static io.sessionbroker.broker.verdict.UserTokens.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.outbox.OutageTestResources;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.net.URL;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Verdicts need no Redis: they keep coming from memory while Redis is down, and a logout journaled
 * during the outage reaches the view once Redis is back.
 */
@QuarkusTest
@WithTestResource(OutageTestResources.class)
class VerdictRedisOutageTest {

  // Health lives on the management interface, relative to its root path (/q).
  @TestHTTPResource(value = "health/ready", management = true)
  URL ready;

  @InjectTestIssuer TestIssuer issuer;

  @InjectRedis RedisServer redis;

  @AfterEach
  void redisRunsAgain() {
    if (!redis.isRunning()) {
      redis.restart();
    }
  }

  @Test
  void whenRedisIsDownThenVerdictsGoOnAndALogoutJournaledMeanwhileRefusesTheTokenAfterwards() {
    String sid = unique("sid");
    String token = accessToken(issuer, "spa", sid, unique("user"));
    assertThat(verdict(token)).isEqualTo(200);

    redis.stop();

    assertThat(verdict(token)).as("cached token, Redis down").isEqualTo(200);
    assertThat(verdict(accessToken(issuer, "spa", unique("sid"), unique("user"))))
        .as("new token, Redis down")
        .isEqualTo(200);
    given().when().get(ready).then().statusCode(200);
    given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", issuer.logoutToken("spa", sid, null))
        .when()
        .post("/backchannel-logout")
        .then()
        .statusCode(200);

    redis.restart();

    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
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
