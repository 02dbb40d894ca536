package io.sessionbroker.broker.logout;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.logout.LogoutFixtures.postLogoutToken;
import static io.sessionbroker.broker.logout.LogoutFixtures.register;
import static io.sessionbroker.broker.logout.LogoutFixtures.registerActive;
import static io.sessionbroker.broker.logout.LogoutFixtures.sessionStatus;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.logout.LogoutFixtures.StreamEntry;
import io.sessionbroker.broker.logout.LogoutFixtures.Subscription;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Valid back-channel logout tokens end to end, against real Redis: the answer, the revoked
 * registrations, the v1 events in each client's stream and channel (SPEC §3.2, §3.3), replays and
 * the registration that comes after the logout.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class BackchannelLogoutTest {

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Inject RedisDataSource redis;
  @Inject MeterRegistry metrics;

  private LogoutFixtures fixtures;
  private String sid;
  private String sub;
  private String app1Session;
  private String app2Session;

  @BeforeEach
  void freshIds() {
    fixtures = new LogoutFixtures(redis);
    sid = unique("sid");
    sub = unique("user");
    app1Session = unique("JSESSION-app1");
    app2Session = unique("JSESSION-app2");
  }

  @Test
  void whenTokenIsValidThenOkWithNoStore() {
    Response response = postLogoutToken(issuer.logoutToken("app1", sid, sub));

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(200);
    assertThat(response.header("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  void whenTokenIsValidThenSessionsOfEveryClientUnderTheSidAreRevoked() {
    registerBothApps();

    assertThat(postLogoutToken(issuer.logoutToken("app1", sid, sub)).statusCode()).isEqualTo(200);

    assertThat(sessionStatus(issuer, "app1", app1Session)).isEqualTo("revoked");
    assertThat(sessionStatus(issuer, "app2", app2Session)).isEqualTo("revoked");
  }

  @Test
  void whenTokenIsValidThenEachClientStreamGetsExactlyOneV1Event() {
    registerBothApps();
    long app1Before = fixtures.streamLength("test", "app1");
    long app2Before = fixtures.streamLength("test", "app2");
    Instant before = Instant.now().minusSeconds(1);

    assertThat(postLogoutToken(issuer.logoutToken("app1", sid, sub)).statusCode()).isEqualTo(200);

    assertThat(fixtures.streamLength("test", "app1")).isEqualTo(app1Before + 1);
    assertThat(fixtures.streamLength("test", "app2")).isEqualTo(app2Before + 1);
    assertSessionRevokedEvent(single(fixtures.eventsForSid("test", "app1", sid)), "app1", before);
    assertSessionRevokedEvent(single(fixtures.eventsForSid("test", "app2", sid)), "app2", before);
  }

  @Test
  void whenTokenIsValidThenTheStoredPayloadIsPublishedLiveOnEachClientChannel() {
    registerBothApps();
    try (Subscription app1 = fixtures.subscribe("test", "app1");
        Subscription app2 = fixtures.subscribe("test", "app2")) {

      assertThat(postLogoutToken(issuer.logoutToken("app1", sid, sub)).statusCode()).isEqualTo(200);

      String app1Stored = single(fixtures.eventsForSid("test", "app1", sid)).payload();
      String app2Stored = single(fixtures.eventsForSid("test", "app2", sid)).payload();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(app1.messagesMentioning(sid)).containsExactly(app1Stored);
                assertThat(app2.messagesMentioning(sid)).containsExactly(app2Stored);
              });
    }
  }

  @Test
  void whenSecondTokenForTheSameSidNamesAnotherAudienceThenNoSecondEvent() {
    registerBothApps();
    assertThat(postLogoutToken(issuer.logoutToken("app1", sid, sub)).statusCode()).isEqualTo(200);

    Response second = postLogoutToken(issuer.logoutToken("app2", sid, sub));

    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(fixtures.eventsForSid("test", "app1", sid)).hasSize(1);
    assertThat(fixtures.eventsForSid("test", "app2", sid)).hasSize(1);
  }

  @Test
  void whenTheSameTokenIsSentAgainThenOkAndNoNewEvent() {
    registerBothApps();
    String token = issuer.logoutToken("app1", sid, sub);
    assertThat(postLogoutToken(token).statusCode()).isEqualTo(200);
    long app1After = fixtures.streamLength("test", "app1");
    long app2After = fixtures.streamLength("test", "app2");

    Response replay = postLogoutToken(token);

    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(replay.header("Cache-Control")).isEqualTo("no-store");
    assertThat(fixtures.streamLength("test", "app1")).isEqualTo(app1After);
    assertThat(fixtures.streamLength("test", "app2")).isEqualTo(app2After);
    assertThat(fixtures.eventsForSid("test", "app1", sid)).hasSize(1);
  }

  @Test
  void whenTheSameTokenIsSentAgainThenItIsCountedAsAReplayNotAsAnotherLogout() {
    registerBothApps();
    String token = issuer.logoutToken("app1", sid, sub);
    assertThat(postLogoutToken(token).statusCode()).isEqualTo(200);
    double accepted = logoutTokens("accepted");
    double replayed = logoutTokens("replayed");

    assertThat(postLogoutToken(token).statusCode()).isEqualTo(200);

    assertThat(logoutTokens("replayed")).isEqualTo(replayed + 1);
    assertThat(logoutTokens("accepted")).isEqualTo(accepted);
  }

  @Test
  void whenRedisForgotTheScriptsThenRegistrationAndLogoutStillWorkOnce() {
    // A restarted or failed-over Redis answers NOSCRIPT to the pipelined EVALSHAs.
    redis.execute("SCRIPT", "FLUSH");
    registerBothApps();
    long app1Before = fixtures.streamLength("test", "app1");
    long app2Before = fixtures.streamLength("test", "app2");
    redis.execute("SCRIPT", "FLUSH");

    assertThat(postLogoutToken(issuer.logoutToken("app1", sid, sub)).statusCode()).isEqualTo(200);

    assertThat(sessionStatus(issuer, "app1", app1Session)).isEqualTo("revoked");
    assertThat(sessionStatus(issuer, "app2", app2Session)).isEqualTo("revoked");
    assertThat(fixtures.streamLength("test", "app1")).isEqualTo(app1Before + 1);
    assertThat(fixtures.streamLength("test", "app2")).isEqualTo(app2Before + 1);
    assertThat(fixtures.eventsForSid("test", "app1", sid)).hasSize(1);
    assertThat(fixtures.eventsForSid("test", "app2", sid)).hasSize(1);
  }

  private double logoutTokens(String outcome) {
    return metrics
        .counter("sessionbroker.logout.tokens", "outcome", outcome, "rule", "none")
        .count();
  }

  @Test
  void whenTheSameSubOnlyTokenIsSentAgainThenNoNewEvent() {
    registerActive(issuer, "app1", app1Session, sid, sub);
    String token = issuer.logoutToken("app1", null, sub);
    assertThat(postLogoutToken(token).statusCode()).isEqualTo(200);

    assertThat(postLogoutToken(token).statusCode()).isEqualTo(200);

    assertThat(fixtures.eventsForSub("test", "app1", sub)).hasSize(1);
  }

  @Test
  void whenTheAudienceClientHasNoRegistrationThenItStillGetsOneEvent() {
    String client = unique("app-unregistered");

    assertThat(postLogoutToken(issuer.logoutToken(client, sid, sub)).statusCode()).isEqualTo(200);

    JsonNode event = single(fixtures.events("test", client)).json();
    assertThat(event.path("type").asText()).isEqualTo("session.revoked");
    assertThat(event.path("clientId").asText()).isEqualTo(client);
    assertThat(event.path("sid").asText()).isEqualTo(sid);
    assertThat(event.path("sessionIds").isArray()).isTrue();
    assertThat(event.path("sessionIds")).isEmpty();
  }

  @Test
  void whenTheAudienceClientHasNoRegistrationThenItsEventStillCarriesTheTokensSub() {
    String client = unique("app-unregistered");

    assertThat(postLogoutToken(issuer.logoutToken(client, sid, sub)).statusCode()).isEqualTo(200);

    JsonNode event = single(fixtures.events("test", client)).json();
    // Apps that keep no registration drop sessions by sid or sub (SPEC §3.3): the token names
    // the user, so the event must too.
    assertThat(event.path("sub").asText(null)).isEqualTo(sub);
  }

  @Test
  void whenTokenHasSubButNoSidThenEveryClientWithSessionsOfTheUserGetsUserRevoked() {
    String otherSid = unique("sid");
    registerActive(issuer, "app1", app1Session, sid, sub);
    registerActive(issuer, "app2", app2Session, otherSid, sub);

    assertThat(postLogoutToken(issuer.logoutToken("app1", null, sub)).statusCode()).isEqualTo(200);

    for (String client : List.of("app1", "app2")) {
      JsonNode event = single(fixtures.eventsForSub("test", client, sub)).json();
      assertThat(event.path("type").asText()).isEqualTo("user.revoked");
      assertThat(event.path("reason").asText()).isEqualTo("backchannel_logout");
      assertThat(event.path("clientId").asText()).isEqualTo(client);
      assertThat(event.has("sid")).as("user.revoked carries no sid").isFalse();
      assertThat(textValues(event.path("sessionIds")))
          .containsExactly(client.equals("app1") ? app1Session : app2Session);
    }
  }

  @Test
  void whenTokenHasSubButNoSidThenEverySessionOfTheUserIsRevoked() {
    String otherSid = unique("sid");
    registerActive(issuer, "app1", app1Session, sid, sub);
    registerActive(issuer, "app2", app2Session, otherSid, sub);

    assertThat(postLogoutToken(issuer.logoutToken("app1", null, sub)).statusCode()).isEqualTo(200);

    assertThat(sessionStatus(issuer, "app1", app1Session)).isEqualTo("revoked");
    assertThat(sessionStatus(issuer, "app2", app2Session)).isEqualTo("revoked");
  }

  @Test
  void whenRegisteringUnderALoggedOutSidThenConflictSessionRevoked() {
    assertThat(postLogoutToken(issuer.logoutToken("app1", sid, sub)).statusCode()).isEqualTo(200);

    Response response =
        given()
            .auth()
            .oauth2(issuer.accessToken("app2"))
            .contentType(ContentType.JSON)
            .body(Map.of("sessionId", app2Session, "sid", sid, "sub", sub))
            .when()
            .post("/api/v1/sessions");

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.jsonPath().getString("code")).isEqualTo("session_revoked");
  }

  @Test
  void whenRegisteringWithTheIdTokenOfALoggedOutSidThenConflict() {
    // Issued before the logout, as the sign-in of a session that the logout ended (SPEC §3.2).
    String idToken = issuer.idToken("app1", sid, sub);
    assertThat(postLogoutToken(issuer.logoutToken("app1", sid, sub)).statusCode()).isEqualTo(200);

    int status =
        given()
            .auth()
            .oauth2(issuer.accessToken("app1"))
            .contentType(ContentType.JSON)
            .body(Map.of("sessionId", app1Session, "idToken", idToken))
            .when()
            .post("/api/v1/sessions")
            .statusCode();

    assertThat(status).isEqualTo(409);
    assertThat(register(issuer, "app1", unique("JSESSION"), sid, sub)).isEqualTo(409);
  }

  @Test
  void whenRegisteringWithAnIdTokenIssuedBeforeASubOnlyLogoutThenConflict() {
    String idToken = issuer.idToken("app1", sid, sub);
    assertThat(postLogoutToken(issuer.logoutToken("app1", null, sub)).statusCode()).isEqualTo(200);

    int status =
        given()
            .auth()
            .oauth2(issuer.accessToken("app1"))
            .contentType(ContentType.JSON)
            .body(Map.of("sessionId", app1Session, "idToken", idToken))
            .when()
            .post("/api/v1/sessions")
            .statusCode();

    assertThat(status).isEqualTo(409);
  }

  private void registerBothApps() {
    registerActive(issuer, "app1", app1Session, sid, sub);
    registerActive(issuer, "app2", app2Session, sid, sub);
  }

  private void assertSessionRevokedEvent(StreamEntry entry, String client, Instant notBefore) {
    assertThat(entry.field()).isEqualTo("event");
    JsonNode event = entry.json();
    assertThat(event.path("v").asInt()).isEqualTo(1);
    assertThat(event.path("id").asText()).isEqualTo(entry.id());
    assertThat(event.path("type").asText()).isEqualTo("session.revoked");
    assertThat(event.path("reason").asText()).isEqualTo("backchannel_logout");
    assertThat(event.path("issuer").asText()).isEqualTo("test");
    assertThat(event.path("clientId").asText()).isEqualTo(client);
    assertThat(event.path("sid").asText()).isEqualTo(sid);
    assertThat(event.path("sub").asText()).isEqualTo(sub);
    assertThat(textValues(event.path("sessionIds")))
        .containsExactly(client.equals("app1") ? app1Session : app2Session);
    Instant at = Instant.parse(event.path("at").asText());
    assertThat(at).isAfter(notBefore).isBefore(Instant.now().plusSeconds(1));
  }

  private static List<String> textValues(JsonNode array) {
    assertThat(array.isArray()).as("%s is an array", array).isTrue();
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  private static <T> T single(List<T> items) {
    assertThat(items).hasSize(1);
    return items.get(0);
  }
}
