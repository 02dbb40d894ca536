package io.sessionbroker.broker.e2e;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import io.sessionbroker.testsupport.keycloak.KeycloakServer;
import org.junit.jupiter.api.Test;

/**
 * The diagnostics read the demo realm's clients through Keycloak's admin API and flag the settings
 * that keep logouts from reaching the broker.
 */
@QuarkusTest
@WithTestResource(KeycloakTestResources.class)
class KeycloakClientSettingsTest {

  @InjectKeycloak KeycloakServer keycloak;

  private String adminToken() {
    return keycloak
        .browser(KeycloakRealm.DEMO)
        .clientCredentialsToken(KeycloakRealm.BROKER_ADMIN, KeycloakRealm.BROKER_ADMIN_SECRET);
  }

  @Test
  void whenTheDemoClientsAreWiredToTheBrokerThenDiagnosticsFindNoProblem() {
    given()
        .auth()
        .oauth2(adminToken())
        .get("/api/v1/diagnostics")
        .then()
        .statusCode(200)
        .body("ok", equalTo(true))
        .body("keycloakClients.demo.clientId", hasItems(KeycloakRealm.APP1, KeycloakRealm.APP2))
        .body("keycloakClients.demo.find { it.clientId == 'app2' }.problems", empty());
  }

  @Test
  void whenAClientHasFrontChannelLogoutOnThenDiagnosticsSayWhyAndHowToFixIt() {
    String path =
        "/admin/realms/demo/clients/" + keycloak.clientUuid(KeycloakRealm.DEMO, KeycloakRealm.APP2);
    ObjectNode client = (ObjectNode) keycloak.adminGet(path);
    client.put("frontchannelLogout", true);
    keycloak.adminPut(path, client.toString());
    try {
      given()
          .auth()
          .oauth2(adminToken())
          .get("/api/v1/diagnostics")
          .then()
          .statusCode(200)
          .body("ok", equalTo(false))
          .body("keycloakClients.demo.find { it.clientId == 'app2' }.ok", equalTo(false))
          .body(
              "keycloakClients.demo.find { it.clientId == 'app2' }.problems",
              hasItem(containsString("Front channel logout is ON")));
    } finally {
      client.put("frontchannelLogout", false);
      keycloak.adminPut(path, client.toString());
    }
  }
}
