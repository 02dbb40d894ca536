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
 * Keycloak keeps an SSO session ({@code sid}) alive after a client-only logout of {@code app1}, and
 * the user then signs in to {@code app2} under the same {@code sid} (no registration: a proxy
 * asking for verdicts never registers, SPEC §3.3 lets apps drop by {@code sid}). When the user
 * later signs out of {@code app2}, Keycloak sends {@code app2} a logout token for that {@code sid}
 * with a later {@code iat}: a new logout (SPEC §3.2, §3.3), after which the verdict refuses {@code
 * app2}'s tokens issued between the two logouts.
 *
 * <p>A later token for a client not yet in the recorded logout's audiences ({@code !aud}) is taken
 * for another client's token of that same logout only within {@code
 * session-broker.sessions.logout-fan-out-window} of it; later, it is a new logout, or the verdict
 * would keep answering 200 for a session the user has signed out of.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SecondLogoutThroughAnotherClientTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @InjectTestIssuer TestIssuer issuer;

  @Inject RedisDataSource redis;

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
        JsonNode event = JSON.readTree(entry.get(1).get(1).toString());
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
