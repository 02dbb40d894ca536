package io.sessionbroker.broker.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.sessionbroker.testsupport.keycloak.BrowserlessLogin;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import io.sessionbroker.testsupport.keycloak.KeycloakServer;
import io.sessionbroker.testsupport.keycloak.OidcTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Admin revocation against a real Keycloak whose issuer has an admin client (SPEC §3.2): the broker
 * revokes, ends the SSO session at Keycloak, and the user's next "Sign in" shows Keycloak's login
 * form and starts a fresh session that registers normally. Without Keycloak's part, the next
 * sign-in would silently reuse the revoked session and every registration would be refused (409).
 */
@QuarkusTest
@WithTestResource(KeycloakTestResources.class)
class KeycloakAdminRevocationTest {

  @InjectKeycloak KeycloakServer keycloak;

  @Test
  void whenAdminRevokesBySidThenKeycloakSessionEndsAndNextSignInStartsAFreshSession() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
    OidcTokens first = signIn(browser, KeycloakRealm.ALICE, KeycloakRealm.ALICE_PASSWORD);
    assertThat(first.passwordPrompted()).isTrue();
    register(first.idToken()).then().statusCode(201);

    JsonPath answer = revoke(Map.of("sid", first.sid()));

    assertThat(answer.getString("keycloakSession")).isEqualTo("ended");
    assertThat(answer.getList("events.clientId", String.class)).contains(KeycloakRealm.APP1);
    assertThat(keycloakSessionIds(KeycloakRealm.ALICE)).doesNotContain(first.sid());
    // The same browser, with Keycloak's SSO cookie still set: Keycloak asks for the password.
    OidcTokens second = signIn(browser, KeycloakRealm.ALICE, KeycloakRealm.ALICE_PASSWORD);
    assertThat(second.passwordPrompted()).as("Keycloak's login form was shown").isTrue();
    assertThat(second.sid()).isNotEqualTo(first.sid());
    register(second.idToken()).then().statusCode(201);
    // A second revocation of the same sid: the broker stands, Keycloak has nothing left to end.
    assertThat(revoke(Map.of("sid", first.sid())).getString("keycloakSession"))
        .isEqualTo("already_ended");
  }

  @Test
  void whenAdminRevokesBySubThenEveryKeycloakSessionOfTheUserEnds() {
    BrowserlessLogin laptop = keycloak.browser(KeycloakRealm.DEMO);
    BrowserlessLogin phone = keycloak.browser(KeycloakRealm.DEMO);
    OidcTokens onLaptop = signIn(laptop, KeycloakRealm.BOB, KeycloakRealm.BOB_PASSWORD);
    OidcTokens onPhone = signIn(phone, KeycloakRealm.BOB, KeycloakRealm.BOB_PASSWORD);
    assertThat(keycloakSessionIds(KeycloakRealm.BOB)).contains(onLaptop.sid(), onPhone.sid());

    JsonPath answer = revoke(Map.of("sub", onLaptop.subject()));
    long revokedInSecond = Instant.now().getEpochSecond();

    assertThat(answer.getString("keycloakSession")).isEqualTo("ended");
    assertThat(keycloakSessionIds(KeycloakRealm.BOB)).isEmpty();
    // SPEC §3.2 compares whole seconds and refuses a session that started in the revocation's own
    // second (equal counts as revoked): a user who signs in again within it must sign in once more.
    Awaitility.await("the revocation's second to pass")
        .atMost(Duration.ofSeconds(30))
        .until(() -> Instant.now().getEpochSecond() > revokedInSecond);
    OidcTokens again = signIn(phone, KeycloakRealm.BOB, KeycloakRealm.BOB_PASSWORD);
    assertThat(again.passwordPrompted()).isTrue();
    register(again.idToken()).then().statusCode(201);
  }

  private static OidcTokens signIn(BrowserlessLogin browser, String user, String password) {
    return browser.login(
        KeycloakRealm.APP1,
        KeycloakRealm.APP1_SECRET,
        KeycloakTestResources.APP1_URL + "/callback",
        user,
        password);
  }

  /** Registers as app1 itself would: with its service account's token. */
  private io.restassured.response.Response register(String idToken) {
    String appToken =
        keycloak
            .browser(KeycloakRealm.DEMO)
            .clientCredentialsToken(KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET);
    return given()
        .auth()
        .oauth2(appToken)
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", "app1-" + UUID.randomUUID(), "idToken", idToken))
        .post("/api/v1/sessions");
  }

  private JsonPath revoke(Map<String, String> body) {
    String adminToken =
        keycloak
            .browser(KeycloakRealm.DEMO)
            .clientCredentialsToken(KeycloakRealm.BROKER_ADMIN, KeycloakRealm.BROKER_ADMIN_SECRET);
    return given()
        .auth()
        .oauth2(adminToken)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/revocations")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private List<String> keycloakSessionIds(String username) {
    List<String> ids = new ArrayList<>();
    for (JsonNode session : keycloak.userSessions(KeycloakRealm.DEMO, username)) {
      ids.add(session.path("id").asText());
    }
    return ids;
  }
}
