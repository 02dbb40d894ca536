package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3.2 paging cursors: opaque and tamper-evident (a cursor not issued by the broker, or issued
 * for another query or caller, is 400 at once), and no page costs more than a bounded number of
 * Redis calls.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class PagingCursorTest {

  /** A request the broker would spend hours on must fail the test, not hang it. */
  private static final RestAssuredConfig ANSWER_WITHIN_30_SECONDS =
      RestAssuredConfig.config()
          .httpClient(
              HttpClientConfig.httpClientConfig()
                  .setParam("http.socket.timeout", 30_000)
                  .setParam("http.connection.timeout", 5_000));

  /** {@code ClientIndexPager.EXTRA_REDIS_CALLS}: calls a page may spend beyond its items. */
  private static final int EXTRA_REDIS_CALLS = 1024 + 64;

  @InjectTestIssuer TestIssuer issuer;

  @InjectRedis RedisServer redis;

  @Test
  void whenCursorIsThePlainPositionFormatWithAHugeNegativeBucketThenBadRequestAtOnce() {
    String clientId = unique("portal");
    String token = issuer.accessToken(clientId);
    registerOk(token, unique("S"), unique("sid"), null);
    String forged = base64("test\u001f" + clientId + "\u001f-2147483000\u001fS");

    query(token, Map.of("clientId", clientId, "cursor", forged))
        .then()
        .statusCode(400)
        .header("Content-Type", startsWith("application/problem+json"))
        .body("status", equalTo(400));
  }

  @Test
  void whenTheBrokersCursorIsEditedThenBadRequest() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String next = registerThreeAndFirstNext(token, clientId);
    for (int at : new int[] {next.length() - 1, next.length() - 5, 2}) {
      char original = next.charAt(at);
      String edited =
          next.substring(0, at) + (original == 'A' ? 'B' : 'A') + next.substring(at + 1);

      query(token, Map.of("clientId", clientId, "limit", "1", "cursor", edited))
          .then()
          .statusCode(400);
    }
  }

  @Test
  void whenTheCursorIsPaddedOrHasTrailingTextThenBadRequest() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String next = registerThreeAndFirstNext(token, clientId);
    String edited = next + "==";

    query(token, Map.of("clientId", clientId, "limit", "1", "cursor", edited))
        .then()
        .statusCode(400);
  }

  @Test
  void whenTheCursorsPositionIsSwappedForAnotherThenBadRequest() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String next = registerThreeAndFirstNext(token, clientId);
    String mac = next.substring(next.indexOf('.'));
    String otherPosition = base64("test\u001f" + clientId + "\u001f1023\u001f");

    query(token, Map.of("clientId", clientId, "limit", "1", "cursor", otherPosition + mac))
        .then()
        .statusCode(400);
  }

  @Test
  void whenTheCursorIsUsedForAnotherQueryThenBadRequest() {
    String clientId = unique("app");
    String next = registerThreeAndFirstNext(adminToken(issuer), clientId);
    String otherClient = unique("app");
    registerOk(issuer.accessToken(otherClient), unique("S"), unique("sid"), null);

    query(adminToken(issuer), Map.of("clientId", otherClient, "limit", "1", "cursor", next))
        .then()
        .statusCode(400);
  }

  @Test
  void whenTheCursorIsUsedByAnotherCallerThenBadRequest() {
    String clientId = unique("app");
    String next = registerThreeAndFirstNext(issuer.accessToken(clientId), clientId);

    query(adminToken(issuer), Map.of("clientId", clientId, "limit", "1", "cursor", next))
        .then()
        .statusCode(400);
  }

  @Test
  void whenTheCursorIsUsedAgainBySameCallerAndQueryThenTheSamePageComesBack() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String next = registerThreeAndFirstNext(token, clientId);

    String first =
        query(token, Map.of("clientId", clientId, "limit", "1", "cursor", next)).asString();
    String second =
        query(token, Map.of("clientId", clientId, "limit", "1", "cursor", next)).asString();

    assertThat(second).isEqualTo(first).contains("items");
  }

  @Test
  void whenAnIssuerWidePageMeetsManyEmptyClientIndexesThenItStopsWithinTheCallBound() {
    // Clients whose names sort before every other client of the run, with emptied indexes: the
    // walk over all of the issuer's clients meets 3 x 1024 empty buckets first.
    for (int i = 0; i < 3; i++) {
      String clientId = "0000-" + i + "-" + unique("empty");
      String sessionId = unique("S");
      registerOk(issuer.accessToken(clientId), sessionId, unique("sid"), null);
      given()
          .auth()
          .oauth2(issuer.accessToken(clientId))
          .delete("/api/v1/sessions/{id}", sessionId)
          .then()
          .statusCode(204);
    }
    long before = readCalls();

    String body =
        query(adminToken(issuer), Map.of("limit", "1")).then().statusCode(200).extract().asString();

    long spent = readCalls() - before;
    assertThat(spent).as("Redis read calls of one page").isLessThanOrEqualTo(1 + EXTRA_REDIS_CALLS);
    assertThat(body).as("the page ends early and says where to go on").contains("\"next\":\"");
  }

  @Test
  void whenAUserHasMoreSsoSessionsThanThePageBoundThenAPageBySubStaysWithinIt() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sub = unique("busy-user");
    int sessions = 1 + EXTRA_REDIS_CALLS + 60;
    for (int i = 0; i < sessions; i++) {
      registerOk(token, unique("S"), unique("sid"), sub);
    }
    long before = readCalls();

    String next =
        query(token, Map.of("sub", sub, "limit", "1"))
            .then()
            .statusCode(200)
            .extract()
            .path("next");

    long spent = readCalls() - before;
    assertThat(spent).as("Redis read calls of one page").isLessThanOrEqualTo(1 + EXTRA_REDIS_CALLS);
    assertThat(next).as("more pages follow").isNotNull();
    // The page size may change between pages; the next page goes on after the first item.
    query(token, Map.of("sub", sub, "limit", "1000", "cursor", next))
        .then()
        .statusCode(200)
        .body("items.size()", equalTo(1000))
        .body("items.sub", org.hamcrest.Matchers.everyItem(equalTo(sub)));
  }

  /** Registers three sessions of {@code clientId}; returns the first 1-item page's next. */
  private String registerThreeAndFirstNext(String queryToken, String clientId) {
    String appToken = issuer.accessToken(clientId);
    for (int i = 0; i < 3; i++) {
      registerOk(appToken, unique("S"), unique("sid"), null);
    }
    String next =
        query(queryToken, Map.of("clientId", clientId, "limit", "1"))
            .then()
            .statusCode(200)
            .extract()
            .path("next");
    assertThat(next).as("first page's next").isNotNull();
    return next;
  }

  /** HGETALL and SMEMBERS calls Redis has served so far (the pager's reads). */
  private long readCalls() {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      String stats = connection.sync().info("commandstats");
      return calls(stats, "hgetall") + calls(stats, "smembers");
    } finally {
      client.shutdown();
    }
  }

  private static long calls(String commandStats, String command) {
    Matcher matcher = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(commandStats);
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }

  private static Response query(String token, Map<String, String> params) {
    return given()
        .config(ANSWER_WITHIN_30_SECONDS)
        .auth()
        .oauth2(token)
        .queryParams(new LinkedHashMap<>(params))
        .when()
        .get("/api/v1/sessions");
  }

  private static String base64(String raw) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }
}
