package io.sessionbroker.broker.topology;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.sessionbroker.client.RevocationEvent;
import io.sessionbroker.client.SessionBrokerClient;
import io.sessionbroker.client.SessionBrokerOptions;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.awaitility.Awaitility;

/**
 * Drives the broker over HTTP and watches delivery through the real client library: registers
 * sessions, logs their sids out, and counts what a subscriber received.
 */
final class DeliveryProbe implements AutoCloseable {

  private final TestIssuer issuer;
  private final String clientId = "topo-" + UUID.randomUUID().toString().substring(0, 8);
  private final Map<String, Integer> receivedBySid = new ConcurrentHashMap<>();
  private final SessionBrokerClient subscriber;

  DeliveryProbe(
      TestIssuer issuer,
      Function<SessionBrokerOptions.Builder, SessionBrokerOptions.Builder> redis) {
    this.issuer = issuer;
    SessionBrokerOptions options =
        redis.apply(SessionBrokerOptions.builder().issuerAlias("test").clientId(clientId)).build();
    subscriber = SessionBrokerClient.start(options, this::received);
  }

  private void received(RevocationEvent event) {
    if (event.sid() != null) {
      receivedBySid.merge(event.sid(), 1, Integer::sum);
    }
  }

  /** Registers a session under a new sid and returns the sid. */
  String register() {
    String sid = UUID.randomUUID().toString();
    given()
        .auth()
        .oauth2(issuer.accessToken(clientId))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", "S-" + sid, "idToken", issuer.idToken(clientId, sid, "u-" + sid)))
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
    return sid;
  }

  /** Posts a valid logout token for the sid; returns the HTTP status. */
  int logout(String sid) {
    return post(logoutToken(sid));
  }

  /** A valid logout token for the sid, as Keycloak sends it to this probe's client. */
  String logoutToken(String sid) {
    return issuer.logoutToken(clientId, sid, "u-" + sid);
  }

  /** Posts a logout token; returns the HTTP status. */
  int post(String logoutToken) {
    return given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", logoutToken)
        .post("/backchannel-logout")
        .statusCode();
  }

  /** Status of the registration made by {@link #register()}. */
  String status(String sid) {
    return given()
        .auth()
        .oauth2(issuer.accessToken(clientId))
        .get("/api/v1/sessions/S-" + sid)
        .then()
        .statusCode(200)
        .extract()
        .path("status");
  }

  /** Waits until every sid was received; returns {lost, duplicated} and prints them. */
  long[] awaitDelivery(String label, List<String> sids) {
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> sids.stream().allMatch(receivedBySid::containsKey));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // Reported as lost below.
    }
    List<String> lost = new ArrayList<>();
    long duplicated = 0;
    for (String sid : sids) {
      int count = receivedBySid.getOrDefault(sid, 0);
      if (count == 0) {
        lost.add(sid);
      } else if (count > 1) {
        duplicated++;
      }
    }
    System.out.printf(
        "%s: logouts=%d, delivered=%d, lost=%d, duplicated=%d%n",
        label, sids.size(), sids.size() - lost.size(), lost.size(), duplicated);
    assertThat(lost).as("lost revocations").isEmpty();
    assertThat(duplicated).as("revocations delivered twice").isZero();
    return new long[] {lost.size(), duplicated};
  }

  @Override
  public void close() {
    subscriber.close();
  }
}
