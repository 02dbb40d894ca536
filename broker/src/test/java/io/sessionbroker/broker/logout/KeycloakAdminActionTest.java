package io.sessionbroker.broker.logout;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.logout.LogoutFixtures.registerActive;
import static io.sessionbroker.broker.logout.LogoutFixtures.sessionStatus;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sessionbroker.broker.logout.LogoutFixtures.StreamEntry;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keycloak's legacy admin URL (SPEC §3.2): realm "logout all" ({@code k_logout}) and "push
 * not-before" ({@code k_push_not_before}) arrive as a realm-signed JWS body and become {@code
 * client.revoked} events.
 *
 * <p>Each test uses client ids of its own: a client's "revoked before" marker would otherwise
 * refuse other tests' registrations of that client.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class KeycloakAdminActionTest {

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @InjectTestIssuer("other")
  TestIssuer otherIssuer;

  @Inject RedisDataSource redis;

  private LogoutFixtures fixtures;
  private String targetClient;
  private String bystanderClient;
  private String targetSession;
  private String bystanderSession;

  @BeforeEach
  void freshClients() {
    fixtures = new LogoutFixtures(redis);
    targetClient = unique("kc-app1");
    bystanderClient = unique("kc-app2");
    targetSession = unique("JSESSION");
    bystanderSession = unique("JSESSION");
  }

  @Test
  void whenLogoutAllArrivesThenNoContentAndOneClientRevokedEventWithNotBefore() {
    long notBefore = registerSessionsAndWaitForNextSecond();

    Response response = post("test", "k_logout", adminAction("LOGOUT", targetClient, notBefore));

    assertThat(response.statusCode()).as("body %s", response.asString()).isBetween(200, 299);
    StreamEntry entry = single(fixtures.events("test", targetClient));
    JsonNode event = entry.json();
    assertThat(event.path("v").asInt()).isEqualTo(1);
    assertThat(event.path("id").asText()).isEqualTo(entry.id());
    assertThat(event.path("type").asText()).isEqualTo("client.revoked");
    assertThat(event.path("reason").asText()).isEqualTo("keycloak_admin");
    assertThat(event.path("issuer").asText()).isEqualTo("test");
    assertThat(event.path("clientId").asText()).isEqualTo(targetClient);
    // A logout-all cuts at its own notBefore (Keycloak's realm not-before, whole seconds).
    assertThat(event.path("notBefore").asText())
        .isEqualTo(Instant.ofEpochSecond(notBefore).toString());
    assertThat(event.path("sessionIds").toString()).isEqualTo("[\"" + targetSession + "\"]");
  }

  @Test
  void whenLogoutAllArrivesThenOnlyThatClientsOlderSessionsAreRevoked() {
    long notBefore = registerSessionsAndWaitForNextSecond();

    assertThat(
            post("test", "k_logout", adminAction("LOGOUT", targetClient, notBefore)).statusCode())
        .isBetween(200, 299);

    assertThat(sessionStatus(issuer, targetClient, targetSession)).isEqualTo("revoked");
    assertThat(sessionStatus(issuer, bystanderClient, bystanderSession)).isEqualTo("active");
    assertThat(fixtures.events("test", bystanderClient)).isEmpty();
  }

  @Test
  void whenPushNotBeforeArrivesThenOlderSessionsAreRevokedWithOneEvent() {
    long notBefore = registerSessionsAndWaitForNextSecond();

    Response response =
        post("test", "k_push_not_before", adminAction("PUSH_NOT_BEFORE", targetClient, notBefore));

    assertThat(response.statusCode()).as("body %s", response.asString()).isBetween(200, 299);
    JsonNode event = single(fixtures.events("test", targetClient)).json();
    assertThat(event.path("type").asText()).isEqualTo("client.revoked");
    assertThat(event.path("notBefore").asText())
        .isEqualTo(Instant.ofEpochSecond(notBefore).toString());
    assertThat(sessionStatus(issuer, targetClient, targetSession)).isEqualTo("revoked");
    assertThat(sessionStatus(issuer, bystanderClient, bystanderSession)).isEqualTo("active");
  }

  @Test
  void whenPushNotBeforeArrivesThenSessionsRegisteredAfterItStayActive() {
    long notBefore = registerSessionsAndWaitForNextSecond();
    assertThat(
            post(
                    "test",
                    "k_push_not_before",
                    adminAction("PUSH_NOT_BEFORE", targetClient, notBefore))
                .statusCode())
        .isBetween(200, 299);
    String later = unique("JSESSION");

    // Whole seconds, and a session that starts in the cut's own second counts as before it.
    sleepUntil((notBefore + 1) * 1000);
    registerActive(issuer, targetClient, later, unique("sid"), unique("user"));

    assertThat(sessionStatus(issuer, targetClient, later)).isEqualTo("active");
  }

  @Test
  void whenTheSameLogoutAllArrivesTwiceThenOneEvent() {
    long notBefore = registerSessionsAndWaitForNextSecond();
    String jws = adminAction("LOGOUT", targetClient, notBefore);
    assertThat(post("test", "k_logout", jws).statusCode()).isBetween(200, 299);

    assertThat(post("test", "k_logout", jws).statusCode()).isBetween(200, 299);

    assertThat(fixtures.events("test", targetClient)).hasSize(1);
  }

  @Test
  void whenTheActionDoesNotMatchTheEndpointThenRejectedNamingAction() {
    long notBefore = registerSessions();

    Response response =
        post("test", "k_logout", adminAction("PUSH_NOT_BEFORE", targetClient, notBefore));

    assertRejected(response, "action:");
    assertNothingRevoked();
  }

  @Test
  void whenTheActionHasExpiredThenRejectedNamingExpiration() {
    long notBefore = registerSessions();
    JwtClaims claims = adminActionClaims("LOGOUT", targetClient, notBefore);
    claims.setClaim("expiration", Instant.now().getEpochSecond() - 60);

    Response response = post("test", "k_logout", issuer.sign(claims, null));

    assertRejected(response, "expiration:");
    assertNothingRevoked();
  }

  @Test
  void whenTheAliasIsUnknownThenNotFound() {
    long notBefore = registerSessions();

    Response response = post("nowhere", "k_logout", adminAction("LOGOUT", targetClient, notBefore));

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(404);
    assertThat(response.jsonPath().getString("error_description")).contains("issuer");
    assertNothingRevoked();
  }

  @Test
  void whenLogoutNamesSessionsThenOneSessionRevokedPerSidAndTheClientsOtherSessionsStayActive() {
    String sid = unique("sid");
    String otherSession = unique("JSESSION");
    registerActive(issuer, targetClient, targetSession, sid, unique("user"));
    registerActive(issuer, targetClient, otherSession, unique("sid"), unique("user"));
    JwtClaims claims = adminActionClaims("LOGOUT", targetClient, 0);
    claims.setClaim("adapterSessionIds", List.of(targetSession));
    claims.setClaim("keycloakSessionIds", List.of(sid));

    Response response = post("test", "k_logout", issuer.sign(claims, null));

    assertThat(response.statusCode()).as("body %s", response.asString()).isBetween(200, 299);
    JsonNode event = single(fixtures.events("test", targetClient)).json();
    assertThat(event.path("type").asText()).isEqualTo("session.revoked");
    assertThat(event.path("reason").asText()).isEqualTo("keycloak_admin");
    assertThat(event.path("sid").asText()).isEqualTo(sid);
    assertThat(event.path("sessionIds").toString()).isEqualTo("[\"" + targetSession + "\"]");
    assertThat(sessionStatus(issuer, targetClient, targetSession)).isEqualTo("revoked");
    assertThat(sessionStatus(issuer, targetClient, otherSession)).isEqualTo("active");
  }

  @Test
  void whenLogoutNamesOnlyAdapterSessionIdsThenTheirSidsAreRevoked() {
    String sid = unique("sid");
    String otherSession = unique("JSESSION");
    registerActive(issuer, targetClient, targetSession, sid, unique("user"));
    registerActive(issuer, targetClient, otherSession, unique("sid"), unique("user"));
    JwtClaims claims = adminActionClaims("LOGOUT", targetClient, 0);
    claims.setClaim("adapterSessionIds", List.of(targetSession, unique("never-registered")));

    Response response = post("test", "k_logout", issuer.sign(claims, null));

    assertThat(response.statusCode()).as("body %s", response.asString()).isBetween(200, 299);
    JsonNode event = single(fixtures.events("test", targetClient)).json();
    assertThat(event.path("type").asText()).isEqualTo("session.revoked");
    assertThat(event.path("sid").asText()).isEqualTo(sid);
    assertThat(sessionStatus(issuer, targetClient, otherSession)).isEqualTo("active");
  }

  @Test
  void whenLogoutWithoutListsHasNotBeforeZeroThenNothingChanges() {
    registerSessions();

    Response response = post("test", "k_logout", adminAction("LOGOUT", targetClient, 0));

    assertThat(response.statusCode()).as("body %s", response.asString()).isBetween(200, 299);
    assertNothingRevoked();
  }

  @Test
  void whenNotBeforeIsFarInTheFutureThenRejectedAndRegistrationsStillWork() {
    registerSessions();
    long inAnHour = Instant.now().getEpochSecond() + 3600;

    Response response =
        post("test", "k_push_not_before", adminAction("PUSH_NOT_BEFORE", targetClient, inAnHour));

    assertRejected(response, "notBefore:");
    assertNothingRevoked();
    registerActive(issuer, targetClient, unique("JSESSION"), unique("sid"), unique("user"));
  }

  @Test
  void whenAnOlderNotBeforeArrivesAfterANewerOneThenNothingChanges() {
    long notBefore = registerSessionsAndWaitForNextSecond();
    assertThat(
            post(
                    "test",
                    "k_push_not_before",
                    adminAction("PUSH_NOT_BEFORE", targetClient, notBefore))
                .statusCode())
        .isBetween(200, 299);

    Response older =
        post(
            "test",
            "k_push_not_before",
            adminAction("PUSH_NOT_BEFORE", targetClient, notBefore - 5));

    assertThat(older.statusCode()).as("body %s", older.asString()).isBetween(200, 299);
    assertThat(fixtures.events("test", targetClient)).hasSize(1);
  }

  @Test
  void whenALogoutAllIsResentThenSessionsRegisteredInBetweenStayActive() {
    long notBefore = registerSessionsAndWaitForNextSecond();
    String jws = adminAction("LOGOUT", targetClient, notBefore);
    assertThat(post("test", "k_logout", jws).statusCode()).isBetween(200, 299);
    // A session that starts after the cut (whole seconds: in the next second).
    sleepUntil((notBefore + 1) * 1000);
    String later = unique("JSESSION");
    registerActive(issuer, targetClient, later, unique("sid"), unique("user"));

    assertThat(post("test", "k_logout", jws).statusCode()).isBetween(200, 299);

    assertThat(sessionStatus(issuer, targetClient, later)).isEqualTo("active");
    assertThat(fixtures.events("test", targetClient)).hasSize(1);
  }

  @Test
  void whenAPerSessionLogoutIsResentThenNoSecondEvent() {
    String sid = unique("sid");
    registerActive(issuer, targetClient, targetSession, sid, unique("user"));
    JwtClaims claims = adminActionClaims("LOGOUT", targetClient, 0);
    claims.setClaim("keycloakSessionIds", List.of(sid));
    String jws = issuer.sign(claims, null);
    assertThat(post("test", "k_logout", jws).statusCode()).isBetween(200, 299);

    assertThat(post("test", "k_logout", jws).statusCode()).isBetween(200, 299);

    assertThat(fixtures.events("test", targetClient)).hasSize(1);
  }

  @Test
  void whenTheResourceIsNotInTheRealmsAllowListThenRejectedNamingResource() {
    JwtClaims claims = adminActionClaims("LOGOUT", "app9", Instant.now().getEpochSecond() + 1);

    Response response = post("other", "k_logout", otherIssuer.sign(claims, null));

    assertRejected(response, "resource:");
    assertThat(fixtures.events("other", "app9")).isEmpty();
  }

  @Test
  void whenTheBodyIsNotAJwsThenRejected() {
    registerSessions();

    Response response = post("test", "k_logout", "logout everybody, please");

    assertRejected(response, "token:");
    assertNothingRevoked();
  }

  @Test
  void whenTheActionIsUnsignedThenRejectedNamingAlg() {
    long notBefore = registerSessions();
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(adminActionClaims("LOGOUT", targetClient, notBefore).toJson());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
    jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);

    Response response = post("test", "k_logout", compact(jws));

    assertRejected(response, "alg:");
    assertNothingRevoked();
  }

  @Test
  void whenSignedByAnotherRealmThenRejectedNamingSignature() {
    long notBefore = registerSessions();
    String jws = otherIssuer.sign(adminActionClaims("LOGOUT", targetClient, notBefore), null);

    Response response = post("test", "k_logout", jws);

    assertRejected(response, "signature:");
    assertNothingRevoked();
  }

  /**
   * Registers one session of each client, then waits for the next whole second: Keycloak's {@code
   * notBefore} has one-second resolution, and both sessions must be issued before it.
   *
   * @return that second, a {@code notBefore} that is "now" when the action is sent
   */
  private long registerSessionsAndWaitForNextSecond() {
    long notBefore = registerSessions();
    sleepUntil(notBefore * 1000);
    return notBefore;
  }

  /**
   * Registers one session of each client.
   *
   * @return a {@code notBefore} after both sessions, so a wrongly accepted action would revoke them
   */
  private long registerSessions() {
    registerActive(issuer, targetClient, targetSession, unique("sid"), unique("user"));
    registerActive(issuer, bystanderClient, bystanderSession, unique("sid"), unique("user"));
    return Instant.now().getEpochSecond() + 1;
  }

  private JwtClaims adminActionClaims(String action, String clientId, long notBefore) {
    JwtClaims claims = new JwtClaims();
    claims.setClaim("id", UUID.randomUUID().toString());
    claims.setClaim("expiration", Instant.now().getEpochSecond() + 60);
    claims.setClaim("resource", clientId);
    claims.setClaim("action", action);
    claims.setClaim("notBefore", notBefore);
    claims.setClaim("adapterSessionIds", List.of());
    return claims;
  }

  private String adminAction(String action, String clientId, long notBefore) {
    return issuer.sign(adminActionClaims(action, clientId, notBefore), null);
  }

  private static Response post(String alias, String endpoint, String body) {
    return given()
        .contentType("text/plain")
        .body(body)
        .when()
        .post("/keycloak/" + alias + "/" + endpoint);
  }

  private static void assertRejected(Response response, String ruleFragment) {
    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(400);
    assertThat(response.jsonPath().getString("error")).isEqualTo("invalid_request");
    assertThat(response.jsonPath().getString("error_description")).contains(ruleFragment);
  }

  private void assertNothingRevoked() {
    assertThat(sessionStatus(issuer, targetClient, targetSession)).isEqualTo("active");
    assertThat(fixtures.events("test", targetClient)).isEmpty();
  }

  private static String compact(JsonWebSignature jws) {
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException("could not build the test JWS", e);
    }
  }

  private static <T> T single(List<T> items) {
    assertThat(items).hasSize(1);
    return items.get(0);
  }

  private static void sleepUntil(long epochMillis) {
    long wait = epochMillis - System.currentTimeMillis() + 5;
    if (wait <= 0) {
      return;
    }
    try {
      Thread.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
