package io.sessionbroker.broker.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5, "a defect is not an outage": a failure that is not Redis being unreachable (here Redis
 * answers {@code WRONGTYPE}: a key holds a value of another type) is answered 500, logged at ERROR
 * with its stack trace, and the body names nothing internal; 503 stays for "temporarily unable to
 * record".
 */
@QuarkusTest
@WithTestResource(OutageTestResources.class)
class RecordingFailureTest extends BrokerLogCapturingTest {

  @InjectRedis RedisServer redis;
  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenRecordingALogoutFailsForAnotherReasonThanAnOutageThenItIs500WithTheStackLogged() {
    String sid = "wrongtype-" + UUID.randomUUID();
    assertThat(redis.command("SET sb:sid:{test:" + sid + "} not-a-hash")).isEqualTo("+OK");
    String token = issuer.logoutToken("app-" + sid.substring(10, 18), sid, "user-1");

    Response response =
        given()
            .contentType(ContentType.URLENC)
            .formParam("logout_token", token)
            .post("/backchannel-logout");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.header("Cache-Control")).isEqualTo("no-store");
    assertThat(response.jsonPath().getString("error")).isEqualTo("server_error");
    String body = response.asString();
    assertThat(body).doesNotContain("WRONGTYPE").doesNotContain("Exception").doesNotContain(sid);
    List<LogRecord> errors =
        logged.stream().filter(r -> r.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    assertThat(errors).as("logged at ERROR").isNotEmpty();
    assertThat(errors)
        .as("with its stack trace")
        .anyMatch(
            r -> r.getThrown() != null && String.valueOf(r.getThrown()).contains("WRONGTYPE"));
    String signature = token.substring(token.lastIndexOf('.') + 1);
    assertThat(logged)
        .noneMatch(r -> String.valueOf(r.getMessage()).contains(signature))
        .noneMatch(
            r ->
                String.valueOf(
                        List.of(r.getParameters() == null ? new Object[0] : r.getParameters()))
                    .contains(signature));
  }

  @Test
  void whenAnAdminRevocationFailsForAnotherReasonThanAnOutageThenTheApiAnswersAProblem500() {
    String sid = "wrongtype-" + UUID.randomUUID();
    assertThat(redis.command("SET sb:sid:{test:" + sid + "} not-a-hash")).isEqualTo("+OK");

    Response response =
        given()
            .auth()
            .oauth2(issuer.accessToken("admin-console", "session-broker-admin"))
            .contentType(ContentType.JSON)
            .body(Map.of("issuer", "test", "sid", sid))
            .post("/api/v1/revocations");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.asString()).doesNotContain("WRONGTYPE");
  }
}
