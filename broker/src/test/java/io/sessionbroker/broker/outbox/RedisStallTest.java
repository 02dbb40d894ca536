package io.sessionbroker.broker.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5 on the non-blocking logout path: a Redis that accepts the connection but stops answering
 * ({@code CLIENT PAUSE}, 15 s) is an outage once {@code quarkus.redis.timeout} (2 s) passes: the
 * logout is journaled and answered 200 within 8 s instead of waiting for Redis, and reaches the
 * stream, once, when Redis answers again.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RedisStallTest {

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Test
  void whenRedisStopsAnsweringThenTheLogoutIsJournaledAnsweredAndDeliveredOnceLater()
      throws Exception {
    String client = "stall-" + UUID.randomUUID().toString().substring(0, 8);
    String sid = UUID.randomUUID().toString();
    String token = issuer.logoutToken(client, sid, "user");

    redis.execute("CLIENT", "PAUSE", "20000", "ALL");
    int status =
        CompletableFuture.supplyAsync(() -> postLogoutToken(token).statusCode())
            .get(15, TimeUnit.SECONDS);

    assertThat(status).as("answered while Redis did not answer").isEqualTo(200);
    String stream = "sb:events:test:" + client;
    Awaitility.await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(200))
        // The test's own reads time out as well while Redis is paused.
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(entries(stream)).isEqualTo(1));
    assertThat(postLogoutToken(token).statusCode()).as("the token, resent").isEqualTo(200);
    assertThat(entries(stream)).as("still one event").isEqualTo(1);
  }

  private static io.restassured.response.Response postLogoutToken(String token) {
    return given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", token)
        .post("/backchannel-logout");
  }

  private long entries(String stream) {
    Response length = redis.execute("XLEN", stream);
    return length == null ? 0 : length.toLong();
  }
}
