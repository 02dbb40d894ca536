package io.sessionbroker.broker.verdict;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.verdict.UserTokens.accessToken;
import static io.sessionbroker.broker.verdict.UserTokens.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * How the view is fed: read back from the streams at start-up (so a restarted broker and every
 * replica agree), then kept current from events that any broker writes to Redis.
 */
@QuarkusTest
@WithTestResource(SeededStreamsResources.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerdictViewFeedTest {

  // Health lives on the management interface, relative to its root path (/q).
  @TestHTTPResource(value = "health/ready", management = true)
  URL ready;

  @InjectTestIssuer TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Test
  void whenASidWasRevokedBeforeTheBrokerStartedThenItsTokensAreRefused() {
    long issuedBefore = Instant.now().minus(Duration.ofMinutes(2)).getEpochSecond();
    String token =
        accessToken(issuer, "spa", SeededStreamsResources.RECENT_SID, "someone", issuedBefore, 600);

    assertThat(verdict(token)).isEqualTo(401);
  }

  /** First: it counts the view as read at start-up, before other tests here add revocations. */
  @Test
  @Order(1)
  void whenTheBrokerStartedThenItIsReadyWithOnlyTheRevocationsOfTheWindow() {
    JsonPath health = given().when().get(ready).then().extract().jsonPath();

    assertThat(health.getString("checks.find { it.name == 'verdict-view' }.status"))
        .isEqualTo("UP");
    // The seeded revocation of two hours ago lies before the window of one hour.
    assertThat(health.getInt("checks.find { it.name == 'verdict-view' }.data.revocations"))
        .isEqualTo(1);
  }

  @Test
  void whenAnotherReplicaRecordsALogoutForANewClientThenItsTokenIsRefused() {
    String client = unique("new-client");
    String sid = unique("sid");
    String token = accessToken(issuer, client, sid, "u");
    assertThat(verdict(token)).isEqualTo(200);

    String json = event(client, sid);
    String id = redis.execute("XADD", "sb:events:test:" + client, "*", "event", json).toString();
    redis.execute(
        "PUBLISH", "sb:revocations:test:" + client, json.replace("\"0-0\"", "\"" + id + "\""));

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> verdict(token) == 401);
  }

  @Test
  void whenALiveMessageIsLostThenTheStreamReadStillRefusesTheToken() {
    String sid = unique("sid");
    String token = accessToken(issuer, SeededStreamsResources.UNREGISTERED_CLIENT, sid, "u");
    assertThat(verdict(token)).isEqualTo(200);

    // Appended to a known stream but never published, as when the subscription was reconnecting.
    redis.execute(
        "XADD",
        "sb:events:test:" + SeededStreamsResources.UNREGISTERED_CLIENT,
        "*",
        "event",
        event(SeededStreamsResources.UNREGISTERED_CLIENT, sid));

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> verdict(token) == 401);
  }

  private static String event(String client, String sid) {
    return "{\"v\":1,\"id\":\"0-0\",\"type\":\"session.revoked\",\"reason\":\"backchannel_logout\","
        + "\"issuer\":\"test\",\"clientId\":\""
        + client
        + "\",\"sid\":\""
        + sid
        + "\",\"sub\":\"u\",\"sessionIds\":[],\"at\":\""
        + Instant.now()
        + "\"}";
  }

  private static int verdict(String token) {
    return given()
        .header("Authorization", "Bearer " + token)
        .when()
        .get("/api/v1/verdict")
        .statusCode();
  }
}
