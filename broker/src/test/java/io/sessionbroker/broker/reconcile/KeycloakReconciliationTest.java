package io.sessionbroker.broker.reconcile;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.e2e.InjectKeycloak;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.keycloak.BrowserlessLogin;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import io.sessionbroker.testsupport.keycloak.KeycloakServer;
import io.sessionbroker.testsupport.keycloak.OidcTokens;
import io.sessionbroker.testsupport.keycloak.UnverifiedJwt;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * End to end against a real Keycloak: SSO sessions that end in Keycloak without any logout reaching
 * the broker (see {@link KeycloakReconciliationResources}) are revoked by the scheduled
 * reconciliation job with reason {@code expired}; sessions Keycloak still has, online or offline,
 * stay active.
 */
@QuarkusTest
@WithTestResource(KeycloakReconciliationResources.class)
class KeycloakReconciliationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String OFFLINE_APP = "offline-app";
  private static final String OFFLINE_APP_SECRET = "offline-app-secret";
  private static final String OFFLINE_APP_URL = "http://127.0.0.1:18083";

  @InjectKeycloak KeycloakServer keycloak;
  @InjectRedis RedisServer redis;
  @Inject MeterRegistry metrics;

  @Test
  void whenAnSsoSessionEndsWithoutLogoutThenTheJobRevokesItAsExpiredAndKeepsTheOther() {
    OidcTokens ended = signIn(KeycloakRealm.ALICE, KeycloakRealm.ALICE_PASSWORD, app1());
    OidcTokens kept = signIn(KeycloakRealm.ALICE, KeycloakRealm.ALICE_PASSWORD, app1());
    assertThat(ended.sid()).isNotEqualTo(kept.sid());
    String endedSession = register(ended, KeycloakRealm.APP1);
    String keptSession = register(kept, KeycloakRealm.APP1);

    keycloak.deleteUserSession(KeycloakRealm.DEMO, ended.sid());

    assertThat(onlineSessionIds(KeycloakRealm.ALICE))
        .as("Keycloak's sessions of alice")
        .contains(kept.sid())
        .doesNotContain(ended.sid());
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status(ended, endedSession)).isEqualTo("revoked"));
    awaitFurtherRuns(2);
    assertThat(status(kept, keptSession)).isEqualTo("active");
    List<JsonNode> events = streamEvents(KeycloakRealm.APP1, ended.sid());
    assertThat(events).as("exactly one event, however many runs").hasSize(1);
    assertThat(events.get(0).path("type").asText()).isEqualTo("session.revoked");
    assertThat(events.get(0).path("reason").asText()).isEqualTo("expired");
    assertThat(events.get(0).path("sub").asText()).isEqualTo(ended.subject());
    assertThat(events.get(0).path("sessionIds").toString()).contains(endedSession);
    assertThat(streamEvents(KeycloakRealm.APP1, kept.sid())).isEmpty();
    assertThat(metrics.get("sessionbroker.reconciliation.revoked").tag("issuer", "demo").counter())
        .satisfies(counter -> assertThat(counter.count()).isGreaterThanOrEqualTo(1));
  }

  @Test
  void whenTheUserIsDeletedThenTheirSessionsAreRevokedAsExpired() {
    String username = "carol-" + UUID.randomUUID().toString().substring(0, 8);
    createUser(username);
    OidcTokens carol = signIn(username, username, app2());
    String session = register(carol, KeycloakRealm.APP2);

    keycloak.adminDelete("/admin/realms/" + KeycloakRealm.DEMO + "/users/" + carol.subject());

    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status(carol, session)).isEqualTo("revoked"));
    List<JsonNode> events = streamEvents(KeycloakRealm.APP2, carol.sid());
    assertThat(events).hasSize(1);
    assertThat(events.get(0).path("reason").asText()).isEqualTo("expired");
  }

  /**
   * Observed with Keycloak 26.5.6: a sign-in whose client gets an offline token (here through the
   * client's default scope {@code offline_access}) leaves no online session at all; the ID token's
   * {@code sid} names the offline session only. Such a registration must not be revoked for being
   * absent from the user's online sessions.
   */
  @Test
  void whenTheSidLivesAsAnOfflineSessionThenItStaysActiveUntilThatEnds() {
    String clientUuid = createOfflineClient();
    OidcTokens bob = signIn(KeycloakRealm.BOB, KeycloakRealm.BOB_PASSWORD, offlineApp());
    assertThat(UnverifiedJwt.parse(bob.refreshToken()).claims().path("typ").asText())
        .as("the client's default scopes include offline_access")
        .isEqualTo("Offline");
    String session = register(bob, OFFLINE_APP);
    assertThat(onlineSessionIds(KeycloakRealm.BOB)).doesNotContain(bob.sid());
    assertThat(offlineSessionIds(bob.subject(), clientUuid)).contains(bob.sid());

    awaitFurtherRuns(2);

    assertThat(status(bob, session)).isEqualTo("active");

    keycloak.adminDelete(
        "/admin/realms/" + KeycloakRealm.DEMO + "/sessions/" + bob.sid() + "?isOffline=true");

    assertThat(offlineSessionIds(bob.subject(), clientUuid)).doesNotContain(bob.sid());
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status(bob, session)).isEqualTo("revoked"));
    assertThat(streamEvents(OFFLINE_APP, bob.sid()))
        .singleElement()
        .satisfies(event -> assertThat(event.path("reason").asText()).isEqualTo("expired"));
  }

  // ---------------------------------------------------------------------------------------------

  private record App(String clientId, String secret, String url) {}

  private static App app1() {
    return new App(
        KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET, KeycloakReconciliationResources.APP1_URL);
  }

  private static App app2() {
    return new App(
        KeycloakRealm.APP2, KeycloakRealm.APP2_SECRET, KeycloakReconciliationResources.APP2_URL);
  }

  private static App offlineApp() {
    return new App(OFFLINE_APP, OFFLINE_APP_SECRET, OFFLINE_APP_URL);
  }

  /** Signs in from a new browser, so every call makes a new SSO session. */
  private OidcTokens signIn(String username, String password, App app) {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
    return browser.login(app.clientId(), app.secret(), app.url() + "/callback", username, password);
  }

  /**
   * The app's own service-account token (client-credentials grant): the API's app caller, not the
   * signed-in user's access token (SPEC §3.2).
   */
  private String appToken(String clientId) {
    String secret =
        switch (clientId) {
          case KeycloakRealm.APP1 -> KeycloakRealm.APP1_SECRET;
          case KeycloakRealm.APP2 -> KeycloakRealm.APP2_SECRET;
          default -> OFFLINE_APP_SECRET;
        };
    return keycloak.browser(KeycloakRealm.DEMO).clientCredentialsToken(clientId, secret);
  }

  private String register(OidcTokens tokens, String clientId) {
    String sessionId = clientId + "-" + UUID.randomUUID();
    given()
        .auth()
        .oauth2(appToken(clientId))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", sessionId, "idToken", tokens.idToken()))
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
    return sessionId;
  }

  private String status(OidcTokens tokens, String sessionId) {
    return given()
        .auth()
        .oauth2(appToken(tokens.idTokenClaims().claim("aud")))
        .get("/api/v1/sessions/" + sessionId)
        .then()
        .statusCode(200)
        .extract()
        .path("status");
  }

  /** Waits until the scheduled job has completed {@code runs} more runs. */
  private void awaitFurtherRuns(int runs) {
    double target = runCount() + runs + 1; // +1: the run in progress may have missed the change
    Awaitility.await().atMost(WAIT).until(() -> runCount() >= target);
  }

  private double runCount() {
    return metrics.get("sessionbroker.reconciliation.runs").counter().count();
  }

  private void createUser(String username) {
    keycloak.adminPost(
        "/admin/realms/" + KeycloakRealm.DEMO + "/users",
        json(
            Map.of(
                "username",
                username,
                "enabled",
                true,
                "emailVerified",
                true,
                "firstName",
                "Carol",
                "lastName",
                "Test",
                "email",
                username + "@example.test",
                "credentials",
                List.of(Map.of("type", "password", "value", username, "temporary", false)))));
  }

  /** A confidential client whose default scopes include offline_access; returns its uuid. */
  private String createOfflineClient() {
    keycloak.adminPost(
        "/admin/realms/" + KeycloakRealm.DEMO + "/clients",
        json(
            Map.ofEntries(
                Map.entry("clientId", OFFLINE_APP),
                Map.entry("enabled", true),
                Map.entry("protocol", "openid-connect"),
                Map.entry("publicClient", false),
                Map.entry("clientAuthenticatorType", "client-secret"),
                Map.entry("secret", OFFLINE_APP_SECRET),
                Map.entry("standardFlowEnabled", true),
                // The app calls the broker's API with its service account and the API audience.
                Map.entry("serviceAccountsEnabled", true),
                Map.entry(
                    "protocolMappers",
                    List.of(
                        Map.of(
                            "name", "session-broker API audience",
                            "protocol", "openid-connect",
                            "protocolMapper", "oidc-audience-mapper",
                            "config",
                                Map.of(
                                    "included.custom.audience", "session-broker",
                                    "access.token.claim", "true",
                                    "id.token.claim", "false")))),
                Map.entry("redirectUris", List.of(OFFLINE_APP_URL + "/*")),
                Map.entry(
                    "defaultClientScopes",
                    List.of(
                        "web-origins",
                        "acr",
                        "profile",
                        "roles",
                        "basic",
                        "email",
                        "service_account",
                        "offline_access")))));
    return keycloak.clientUuid(KeycloakRealm.DEMO, OFFLINE_APP);
  }

  private List<String> onlineSessionIds(String username) {
    List<String> ids = new ArrayList<>();
    keycloak
        .userSessions(KeycloakRealm.DEMO, username)
        .forEach(s -> ids.add(s.path("id").asText()));
    return ids;
  }

  private List<String> offlineSessionIds(String userId, String clientUuid) {
    List<String> ids = new ArrayList<>();
    keycloak
        .adminGet(
            "/admin/realms/"
                + KeycloakRealm.DEMO
                + "/users/"
                + userId
                + "/offline-sessions/"
                + clientUuid)
        .forEach(s -> ids.add(s.path("id").asText()));
    return ids;
  }

  private List<JsonNode> streamEvents(String clientId, String sid) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection.sync().xrange("sb:events:demo:" + clientId, Range.create("-", "+")).stream()
          .map(message -> parse(EventStreams.event(message)))
          .filter(event -> event.path("sid").asText().equals(sid))
          .toList();
    } finally {
      client.shutdown();
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
