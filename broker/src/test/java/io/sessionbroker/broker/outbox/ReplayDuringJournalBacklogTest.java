package io.sessionbroker.broker.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4 replay guard: a logout token whose {@code jti} was fully processed is answered 200 "with
 * no new event", whether or not older revocations wait in the journal. Keycloak's case for a
 * session admitted after a logout of its sid: a user revokes consent to one app, Keycloak sends the
 * app a logout token while the SSO session lives on, and a later sign-in gets an ID token with the
 * same sid (see RegistrationStartTimeTest).
 */
@QuarkusTest
@WithTestResource(OutageTestResources.class)
class ReplayDuringJournalBacklogTest {

  private static final String CLIENT = "backlog-app";

  @InjectRedis RedisServer redis;
  @InjectTestIssuer TestIssuer issuer;
  @Inject RevocationRecorder recorder;

  @AfterEach
  void unpause() {
    redis.command("CLIENT UNPAUSE");
  }

  @Test
  void whenAProcessedLogoutTokenIsResentWhileTheJournalHoldsEntriesThenItChangesNothing() {
    String sid = UUID.randomUUID().toString();
    String sub = UUID.randomUUID().toString();
    long logoutAt = Instant.now().getEpochSecond() - 3;
    JwtClaims claims = issuer.logoutTokenClaims(CLIENT, sid, sub);
    claims.setIssuedAt(NumericDate.fromSeconds(logoutAt));
    String logoutToken = issuer.sign(claims);
    assertThat(postLogout(logoutToken)).isEqualTo(200);
    // A sign-in after that logout, in the same SSO session: admitted.
    JwtClaims idClaims = issuer.idTokenClaims(CLIENT, sid, sub);
    idClaims.setIssuedAt(NumericDate.fromSeconds(logoutAt + 2));
    String sessionId = "JSESSION-" + UUID.randomUUID();
    int registered =
        given()
            .auth()
            .oauth2(issuer.accessToken(CLIENT))
            .contentType(ContentType.JSON)
            .body(Map.of("sessionId", sessionId, "idToken", issuer.sign(idClaims)))
            .post("/api/v1/sessions")
            .statusCode();
    assertThat(registered).isEqualTo(201);
    assertThat(eventsForSid(sid)).as("events before the resend").hasSize(1);

    // Redis holds writes for a moment: an unrelated logout goes to the journal, and so does
    // everything after it until the journal is drained.
    assertThat(redis.command("CLIENT PAUSE 3000 WRITE")).isEqualTo("+OK");
    String otherSid = UUID.randomUUID().toString();
    assertThat(postLogout(issuer.logoutToken(CLIENT, otherSid, sub))).isEqualTo(200);
    // The processed token again (a replay).
    assertThat(postLogout(logoutToken)).as("a replay is answered 200").isEqualTo(200);
    redis.command("CLIENT UNPAUSE");
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !recorder.hasPending() && !eventsForSid(otherSid).isEmpty());

    assertThat(eventsForSid(sid)).as("events after the replay").hasSize(1);
    String status =
        given()
            .auth()
            .oauth2(issuer.accessToken(CLIENT))
            .get("/api/v1/sessions/" + sessionId)
            .then()
            .statusCode(200)
            .extract()
            .path("status");
    assertThat(status).as("the session admitted after the logout").isEqualTo("active");
  }

  private static int postLogout(String token) {
    return given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", token)
        .post("/backchannel-logout")
        .statusCode();
  }

  private List<String> eventsForSid(String sid) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection.sync().xrange("sb:events:test:" + CLIENT, Range.create("-", "+")).stream()
          .map(message -> EventStreams.event(message))
          .filter(event -> event.contains("\"sid\":\"" + sid + "\""))
          .toList();
    } finally {
      client.shutdown();
    }
  }
}
