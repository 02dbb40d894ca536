package io.sessionbroker.broker.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.keycloak.BrowserlessLogin;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import io.sessionbroker.testsupport.keycloak.KeycloakServer;
import io.sessionbroker.testsupport.keycloak.OidcTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end against a real Keycloak: one user signed into two clients in one SSO session signs out
 * of one, and both clients' channels and streams receive their event; realm "logout all" reaches
 * both clients as {@code client.revoked}.
 */
@QuarkusTest
@WithTestResource(KeycloakTestResources.class)
// "Logout all" revokes every session issued before it, and ID tokens carry whole seconds: a sign-in
// within the same second would count as before it. So the realm-wide logout runs last.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeycloakSingleSignOutTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CLIENTS = List.of(KeycloakRealm.APP1, KeycloakRealm.APP2);

  @InjectKeycloak KeycloakServer keycloak;
  @InjectRedis RedisServer redis;

  private RedisClient redisClient;
  private StatefulRedisPubSubConnection<String, String> subscriber;
  private final Map<String, List<JsonNode>> live = new ConcurrentHashMap<>();

  @BeforeEach
  void subscribeToBothChannels() {
    redisClient = RedisClient.create(redis.uri());
    subscriber = redisClient.connectPubSub();
    subscriber.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            live.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(parse(message));
          }
        });
    subscriber
        .sync()
        .subscribe(CLIENTS.stream().map(c -> "sb:revocations:demo:" + c).toArray(String[]::new));
  }

  @AfterEach
  void disconnect() {
    subscriber.close();
    redisClient.shutdown();
  }

  @Test
  @Order(1)
  void whenUserSignsOutOfOneClientThenBothClientsGetTheirEventAndSessionsAreRevoked() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
    OidcTokens app1 =
        login(
            browser, KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET, KeycloakTestResources.APP1_URL);
    OidcTokens app2 =
        login(
            browser, KeycloakRealm.APP2, KeycloakRealm.APP2_SECRET, KeycloakTestResources.APP2_URL);
    assertThat(app2.passwordPrompted()).as("second client signed in by SSO").isFalse();
    assertThat(app2.sid()).isEqualTo(app1.sid());
    String session1 = "app1-" + UUID.randomUUID();
    String session2 = "app2-" + UUID.randomUUID();
    register(app1, session1);
    register(app2, session2);

    browser.logout(app1.idToken(), KeycloakRealm.APP1);

    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              for (String client : CLIENTS) {
                assertThat(liveEvents(client, "session.revoked", app1.sid()))
                    .as("live events of %s", client)
                    .hasSize(1);
              }
            });
    JsonNode app1Event = liveEvents(KeycloakRealm.APP1, "session.revoked", app1.sid()).get(0);
    assertThat(app1Event.path("reason").asText()).isEqualTo("backchannel_logout");
    assertThat(app1Event.path("sub").asText()).isEqualTo(app1.subject());
    assertThat(app1Event.path("sessionIds").toString()).contains(session1);
    for (String client : CLIENTS) {
      List<JsonNode> stored = streamEvents(client, "session.revoked", app1.sid());
      assertThat(stored).as("stream of %s", client).hasSize(1);
      assertThat(stored.get(0)).isEqualTo(liveEvents(client, "session.revoked", app1.sid()).get(0));
    }
    assertRevoked(app1, session1);
    assertRevoked(app2, session2);
  }

  @Test
  @Order(2)
  void whenAdminLogsOutAllSessionsThenEveryClientGetsClientRevoked() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
    OidcTokens app1 =
        login(
            browser, KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET, KeycloakTestResources.APP1_URL);
    String session1 = "app1-" + UUID.randomUUID();
    register(app1, session1);

    keycloak.logoutAllSessions(KeycloakRealm.DEMO);

    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              for (String client : CLIENTS) {
                assertThat(liveEvents(client, "client.revoked", null))
                    .as("client.revoked for %s", client)
                    .isNotEmpty();
              }
            });
    JsonNode event = liveEvents(KeycloakRealm.APP1, "client.revoked", null).get(0);
    assertThat(event.path("reason").asText()).isEqualTo("keycloak_admin");
    assertThat(event.path("notBefore").asText()).isNotEmpty();
    assertRevoked(app1, session1);
  }

  private static OidcTokens login(
      BrowserlessLogin browser, String clientId, String secret, String appUrl) {
    return browser.login(
        clientId, secret, appUrl + "/callback", KeycloakRealm.ALICE, KeycloakRealm.ALICE_PASSWORD);
  }

  /**
   * The app's own service-account token (client-credentials grant): the API's app caller. The
   * user's access token from the same sign-in is not one (SPEC §3.2).
   */
  private String appToken(OidcTokens tokens) {
    String clientId = tokens.idTokenClaims().claim("aud");
    String secret =
        KeycloakRealm.APP1.equals(clientId) ? KeycloakRealm.APP1_SECRET : KeycloakRealm.APP2_SECRET;
    return keycloak.browser(KeycloakRealm.DEMO).clientCredentialsToken(clientId, secret);
  }

  private void register(OidcTokens tokens, String sessionId) {
    given()
        .auth()
        .oauth2(appToken(tokens))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", sessionId, "idToken", tokens.idToken()))
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
  }

  private void assertRevoked(OidcTokens tokens, String sessionId) {
    String status =
        given()
            .auth()
            .oauth2(appToken(tokens))
            .get("/api/v1/sessions/" + sessionId)
            .then()
            .statusCode(200)
            .extract()
            .path("status");
    assertThat(status).as("status of %s", sessionId).isEqualTo("revoked");
  }

  private List<JsonNode> liveEvents(String client, String type, String sid) {
    return live.getOrDefault("sb:revocations:demo:" + client, List.of()).stream()
        .filter(e -> e.path("type").asText().equals(type))
        .filter(e -> sid == null || e.path("sid").asText().equals(sid))
        .toList();
  }

  private List<JsonNode> streamEvents(String client, String type, String sid) {
    try (StatefulRedisConnection<String, String> connection = redisClient.connect()) {
      return connection.sync().xrange("sb:events:demo:" + client, Range.create("-", "+")).stream()
          .map(message -> parse(EventStreams.event(message)))
          .filter(e -> e.path("type").asText().equals(type))
          .filter(e -> sid == null || e.path("sid").asText().equals(sid))
          .toList();
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
