package io.sessionbroker.broker.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where the admin API of an issuer is. */
class AdminApiUrlTest {

  @Test
  void whenTheIssuerIsAKeycloakRealmThenTheAdminApiIsBesideIt() {
    assertThat(KeycloakAdminClient.adminBaseOf("https://sso.example.com/realms/acme"))
        .contains("https://sso.example.com/admin/realms/acme");
  }

  @Test
  void whenKeycloakHasAContextPathThenTheAdminApiKeepsIt() {
    assertThat(KeycloakAdminClient.adminBaseOf("http://127.0.0.1:8080/auth/realms/demo"))
        .contains("http://127.0.0.1:8080/auth/admin/realms/demo");
  }

  @Test
  void whenTheIssuerIsNotAKeycloakRealmThenThereIsNoAdminApi() {
    assertThat(KeycloakAdminClient.adminBaseOf("https://login.example.com/oauth2")).isEmpty();
  }
}
