package io.sessionbroker.broker.verdict;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.verdict.UserTokens.accessToken;
import static io.sessionbroker.broker.verdict.UserTokens.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Keycloak keeps an SSO session ({@code sid}) alive after a client-only logout (the user revoked
 * the app's consent), and the user signs in to the app again under the same {@code sid}. When the
 * user later signs out for good, Keycloak sends the app a second logout token for that {@code sid}
 * (a new {@code jti}, a later {@code iat}): a new logout, which SPEC §3.3 says reaches the client
 * as an event of its own ("for each valid logout, every affected client gets exactly one event"),
 * and after which the verdict refuses the tokens issued between the two logouts (SPEC §3.2).
 *
 * <p>Apps need not register sessions (SPEC §3.3: {@code sessionIds} may be empty, they drop by
 * {@code sid}), and a proxy asking for verdicts never does. Without a registration admitted between
 * the two logouts, only the later revocation time tells the second logout from a repeat of the
 * first; taken for a repeat, its event would be deduplicated against the first one's and the
 * tombstone would keep the first logout's time (revoke_sid.lua), so the app would never be told and
 * the verdict would keep answering 200.
 *
 * <p>A later token for a client not yet in the recorded logout's audiences ({@code !aud}) is taken
 * for another client's token of that same logout only within {@code
 * session-broker.sessions.logout-fan-out-window} of it; later, it is a new logout, or the verdict
 * would keep answering 200 for a session the user has signed out of.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SecondLogoutOfSidTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @InjectTestIssuer TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Test
  void whenTheSidIsLoggedOutAgainAfterASignInThenTheAppIsToldAndTheNewTokenIsRefused() {
    String sid = unique("sid");
    String sub = unique("user");
    logOut("app1", sid, sub);
    assertThat(eventsForSid("app1", sid)).hasSize(1);
    long firstLogout = Instant.now().getEpochSecond();

    // The user signs in again under the kept sid, after the first logout.
    awaitSecondAfter(firstLogout);
    String signedInAgain = accessToken(issuer, "app1", sid, sub);
    assertThat(verdict(signedInAgain).statusCode()).isEqualTo(200);

    // The user signs out for good: Keycloak sends the app a new logout token for the sid.
    awaitSecondAfter(Instant.now().getEpochSecond());
    logOut("app1", sid, sub);

    // Appended before the 200 (SPEC §5).
    assertThat(eventsForSid("app1", sid)).as("one event per logout").hasSize(2);
    Awaitility.await("the verdict on the token issued before the second logout")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> verdict(signedInAgain).statusCode() == 401);
  }

  @Test
  void whenAnotherClientLogsOutTheKeptSidLaterThenItsTokenIsRefused() {
    String sid = unique("sid");
    String sub = unique("user");
    Instant firstLogoutReceived = Instant.now();
    logOut("app1", sid, sub);
    assertThat(eventsForSid("app1", sid)).hasSize(1);
    long firstLogout = Instant.now().getEpochSecond();

    // The user signs in to app2 under the kept sid, after the first logout.
    awaitSecondAfter(firstLogout);
    String app2Token = accessToken(issuer, "app2", sid, sub);
    assertThat(verdict(app2Token).statusCode()).isEqualTo(200);

    // After Keycloak's fan-out of the first logout, the user signs out of app2: its own logout
    // token for the sid.
    Duration fanOutWindow =
        ConfigProvider.getConfig()
            .getValue("session-broker.sessions.logout-fan-out-window", Duration.class);
    Instant pastFanOut = firstLogoutReceived.plus(fanOutWindow).plusSeconds(1);
    Awaitility.await()
        .atMost(fanOutWindow.plusSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Instant.now().isAfter(pastFanOut));
    logOut("app2", sid, sub);

    Awaitility.await("the verdict on app2's token issued before its logout")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> verdict(app2Token).statusCode() == 401);
  }

  private void logOut(String clientId, String sid, String sub) {
    given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", issuer.logoutToken(clientId, sid, sub))
        .when()
        .post("/backchannel-logout")
        .then()
        .statusCode(200);
  }

  private static Response verdict(String token) {
    return given().header("Authorization", "Bearer " + token).when().get("/api/v1/verdict");
  }

  private static void awaitSecondAfter(long second) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> Instant.now().getEpochSecond() > second);
  }

  private List<JsonNode> eventsForSid(String clientId, String sid) {
    List<JsonNode> found = new ArrayList<>();
    io.vertx.mutiny.redis.client.Response entries =
        redis.execute("XRANGE", "sb:events:test:" + clientId, "-", "+");
    if (entries == null) {
      return found;
    }
    for (io.vertx.mutiny.redis.client.Response entry : entries) {
      try {
        JsonNode event = JSON.readTree(EventStreams.event(entry));
        if (sid.equals(event.path("sid").asText(null))) {
          found.add(event);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return found;
  }
}
