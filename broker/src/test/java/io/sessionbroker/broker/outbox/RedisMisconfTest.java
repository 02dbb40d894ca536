package io.sessionbroker.broker.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A Redis whose RDB snapshot fails (the classic cause: its disk is full) refuses every write with
 * {@code MISCONF} until a snapshot succeeds again ({@code stop-writes-on-bgsave-error yes}, the
 * default). That is an outage like {@code READONLY} or {@code OOM}: SPEC §5 wants the accepted
 * logout journaled, answered 200 and replayed when Redis takes writes again. RedisFailures lists no
 * {@code MISCONF}, so the broker takes it for a defect: Keycloak's logout is answered 500, and
 * Keycloak never resends it.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RedisMisconfTest {

  @InjectTestIssuer TestIssuer issuer;

  @InjectRedis RedisServer redisServer;

  @Inject RedisDataSource redis;

  @Test
  void whenRedisRefusesWritesWithMisconfThenTheLogoutIsAcceptedAndDeliveredOnceItRecovers()
      throws Exception {
    String sid = "sid-" + UUID.randomUUID();
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", "S-" + UUID.randomUUID(), "sid", sid))
        .when()
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
    // The server's working folder, where its snapshot goes: gone, as a full disk would fail it.
    Path snapshots = Path.of(redis.execute("CONFIG", "GET", "dir").get(1).toString());
    try {
      assertThat(redisServer.command("CONFIG SET save \"3600 1\"")).isEqualTo("+OK");
      try (var files = Files.list(snapshots)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
      Files.delete(snapshots);
      redisServer.command("BGSAVE");
      Awaitility.await("a failed snapshot")
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> redis.execute("INFO", "persistence").toString().contains("bgsave_status:err"));

      Response answer =
          given()
              .contentType(ContentType.URLENC)
              .formParam("logout_token", issuer.logoutToken("app1", sid, null))
              .when()
              .post("/backchannel-logout");

      assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
      assertThat(redisServer.command("CONFIG SET stop-writes-on-bgsave-error no")).isEqualTo("+OK");
      Awaitility.await("the logout's event once Redis takes writes again")
          .atMost(Duration.ofSeconds(20))
          .until(() -> EventStreams.holdsEventFor(redis, "app1", sid));
    } finally {
      redisServer.command("CONFIG SET stop-writes-on-bgsave-error no");
      redisServer.command("CONFIG SET save \"\"");
      Files.createDirectories(snapshots);
    }
  }
}
