package io.sessionbroker.broker.logout;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.logout.LogoutFixtures.postLogoutToken;
import static io.sessionbroker.broker.logout.LogoutFixtures.registerActive;
import static io.sessionbroker.broker.logout.LogoutFixtures.sessionStatus;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.session.SubjectRule;
import io.sessionbroker.broker.store.RedisKeys;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A user of a Keycloak user-storage provider has the id {@code f:<component id>:<external id>}, and
 * Keycloak puts that id in the logout token's {@code sub}. The external id is the provider's choice
 * (Keycloak's user-storage quickstarts use the username), so it may hold letters outside ASCII.
 * Keycloak sends each back-channel logout once: a token with a valid {@code sid} must log that SSO
 * session out, whatever the {@code sub} holds.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class FederatedUserLogoutTest {

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Test
  void whenTheSubIsAFederatedIdWithANonAsciiUsernameThenTheSidIsStillLoggedOut() {
    LogoutFixtures fixtures = new LogoutFixtures(redis);
    String sid = unique("sid");
    String session = unique("JSESSION");
    registerActive(issuer, "app1", session, sid, null);
    String sub = "f:4b1c0a9e-2f6d-4c1e-9a3b-7d8e6f5a4b3c:jos\u00e9.m\u00fcller";

    int status = postLogoutToken(issuer.logoutToken("app1", sid, sub)).statusCode();

    assertThat(status).as("answer to Keycloak's only attempt").isEqualTo(200);
    assertThat(sessionStatus(issuer, "app1", session)).isEqualTo("revoked");
    assertThat(fixtures.eventsForSid("test", "app1", sid)).hasSize(1);
  }

  /**
   * Usernames a user-storage provider may hand Keycloak: a space, braces (Redis hash tags), the
   * value separator, the field separator's look-alike U+241F, an emoji (two UTF-16 units).
   */
  private static final List<String> FEDERATED_SUBS =
      List.of(
          "f:4b1c0a9e-2f6d-4c1e-9a3b-7d8e6f5a4b3c:Jos\u00e9 M\u00fcller",
          "f:4b1c0a9e-2f6d-4c1e-9a3b-7d8e6f5a4b3c:{acme}:a}b{c",
          "f:4b1c0a9e-2f6d-4c1e-9a3b-7d8e6f5a4b3c:a,b\u241fc,0,0",
          "f:4b1c0a9e-2f6d-4c1e-9a3b-7d8e6f5a4b3c:\u5f20\u4f1f \ud83d\ude00");

  @Test
  void aSidLogoutOfAFederatedUserCarriesTheExactSubToTheStream() {
    LogoutFixtures fixtures = new LogoutFixtures(redis);
    for (String federated : FEDERATED_SUBS) {
      String sub = federated + " " + unique("u");
      String sid = unique("sid");
      String session = unique("JSESSION");
      registerWithIdToken("app1", session, sid, sub);

      assertThat(postLogoutToken(issuer.logoutToken("app1", sid, sub)).statusCode())
          .as("logout of %s", sub)
          .isEqualTo(200);

      assertThat(sessionStatus(issuer, "app1", session)).isEqualTo("revoked");
      List<LogoutFixtures.StreamEntry> events = fixtures.eventsForSid("test", "app1", sid);
      assertThat(events).hasSize(1);
      assertThat(events.get(0).json().path("sub").asText()).isEqualTo(sub);
    }
  }

  @Test
  void aSubOnlyLogoutOfAFederatedUserRevokesEverySessionRegisteredBeforeAndTellsEachClientOnce() {
    LogoutFixtures fixtures = new LogoutFixtures(redis);
    for (String federated : FEDERATED_SUBS) {
      String sub = federated + " " + unique("u");
      String fromIdToken = unique("JSESSION");
      String claimed = unique("JSESSION");
      String bystander = unique("JSESSION");
      registerWithIdToken("app1", fromIdToken, unique("sid"), sub);
      registerActive(issuer, "app2", claimed, unique("sid"), sub);
      // Another user whose sub is a prefix of this one's: untouched.
      registerActive(issuer, "app2", bystander, unique("sid"), federated);

      assertThat(postLogoutToken(issuer.logoutToken("app1", null, sub)).statusCode())
          .as("sub-only logout of %s", sub)
          .isEqualTo(200);
      assertThat(postLogoutToken(issuer.logoutToken("app2", null, sub)).statusCode())
          .isEqualTo(200);

      assertThat(sessionStatus(issuer, "app1", fromIdToken)).isEqualTo("revoked");
      assertThat(sessionStatus(issuer, "app2", claimed)).isEqualTo("revoked");
      assertThat(sessionStatus(issuer, "app2", bystander)).isEqualTo("active");
      for (String client : List.of("app1", "app2")) {
        List<LogoutFixtures.StreamEntry> events = fixtures.eventsForSub("test", client, sub);
        assertThat(events).as("user.revoked events of %s in %s", sub, client).hasSize(1);
        assertThat(events.get(0).json().path("type").asText()).isEqualTo("user.revoked");
      }
      // The user's marker, under a key whose hash tag the sub cannot end early.
      String marker = new RedisKeys("sb").userNotBefore("test", sub);
      assertThat(marker).startsWith("sb:user-nbf:{test:!").endsWith("}");
      assertThat(marker.substring(0, marker.length() - 1)).doesNotContain("}");
      assertThat(redis.execute("EXISTS", marker).toInteger()).isEqualTo(1);
      // It refuses a session of this user that started before the logout.
      assertThat(
              LogoutFixtures.register(
                  issuer,
                  "app2",
                  unique("JSESSION"),
                  unique("sid"),
                  sub,
                  Instant.now().minusSeconds(60).toString()))
          .isEqualTo(409);
    }
  }

  @Test
  void anAdminRevocationAndAQueryByAFederatedSubFindExactlyThatUser() {
    LogoutFixtures fixtures = new LogoutFixtures(redis);
    String admin = issuer.accessToken("broker-admin", "session-broker-admin");
    for (String federated : FEDERATED_SUBS) {
      String sub = federated + " " + unique("u");
      String session = unique("JSESSION");
      String bystander = unique("JSESSION");
      registerActive(issuer, "app1", session, unique("sid"), sub);
      registerActive(issuer, "app1", bystander, unique("sid"), federated);

      List<String> found =
          given()
              .auth()
              .oauth2(admin)
              .queryParam("sub", sub)
              .when()
              .get("/api/v1/sessions")
              .then()
              .statusCode(200)
              .extract()
              .path("items.sessionId");
      assertThat(found).containsExactly(session);

      given()
          .auth()
          .oauth2(admin)
          .contentType(ContentType.JSON)
          .body(Map.of("sub", sub))
          .when()
          .post("/api/v1/revocations")
          .then()
          .statusCode(200);

      assertThat(sessionStatus(issuer, "app1", session)).isEqualTo("revoked");
      assertThat(sessionStatus(issuer, "app1", bystander)).isEqualTo("active");
      List<LogoutFixtures.StreamEntry> events = fixtures.eventsForSub("test", "app1", sub);
      assertThat(events).hasSize(1);
      assertThat(events.get(0).json().path("reason").asText()).isEqualTo("admin");
    }
  }

  /** What no Keycloak user id holds stays refused, with a reason and no change. */
  @ParameterizedTest
  @ValueSource(strings = {"f:c:a\nb", "f:c:nul\u0000", "f:c:nel\u0085", "!sub", ".."})
  void aSubWithAControlCharacterOrAStoredFormPrefixIsRefusedEverywhere(String sub) {
    LogoutFixtures fixtures = new LogoutFixtures(redis);
    String sid = unique("sid");
    String session = unique("JSESSION");
    registerActive(issuer, "app1", session, sid, null);

    Response logout = postLogoutToken(issuer.logoutToken("app1", sid, sub));

    assertThat(logout.statusCode()).isEqualTo(400);
    assertThat(logout.jsonPath().getString("error_description")).contains("sub");
    assertThat(sessionStatus(issuer, "app1", session)).isEqualTo("active");
    assertThat(fixtures.eventsForSid("test", "app1", sid)).isEmpty();
    assertThat(LogoutFixtures.register(issuer, "app1", unique("JSESSION"), unique("sid"), sub))
        .isEqualTo(400);
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", unique("JSESSION"), "idToken", issuer.idToken("app1", sid, sub)))
        .when()
        .post("/api/v1/sessions")
        .then()
        .statusCode(400);
  }

  /** Only the sub is wider: a sid keeps the narrow id rule (printable ASCII, no spaces). */
  @Test
  void aSidOutsideTheNarrowIdRuleIsStillRefused() {
    for (String sid : List.of(unique("jos\u00e9"), unique("a b"), unique("{sid}"))) {
      Response logout = postLogoutToken(issuer.logoutToken("app1", sid, "f:c:jos\u00e9"));

      assertThat(logout.statusCode()).as("logout of sid %s", sid).isEqualTo(400);
      assertThat(logout.jsonPath().getString("error_description")).contains("sid");
      assertThat(LogoutFixtures.register(issuer, "app1", unique("JSESSION"), sid, null))
          .isEqualTo(400);
    }
  }

  @Test
  void anOverLongSubIsRefused() {
    String sid = unique("sid");
    String session = unique("JSESSION");
    registerActive(issuer, "app1", session, sid, null);
    String sub = "f:c:" + "\u00e9".repeat(SubjectRule.MAX_LENGTH);

    Response logout = postLogoutToken(issuer.logoutToken("app1", sid, sub));

    assertThat(logout.statusCode()).isEqualTo(400);
    assertThat(logout.jsonPath().getString("error_description")).contains("sub");
    assertThat(sessionStatus(issuer, "app1", session)).isEqualTo("active");
  }

  private void registerWithIdToken(String clientId, String sessionId, String sid, String sub) {
    given()
        .auth()
        .oauth2(issuer.accessToken(clientId))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", sessionId, "idToken", issuer.idToken(clientId, sid, sub)))
        .when()
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
  }
}
