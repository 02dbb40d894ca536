package io.sessionbroker.broker.logout;

import static io.sessionbroker.broker.logout.LogoutFixtures.postLogoutToken;
import static io.sessionbroker.broker.logout.LogoutFixtures.registerActive;
import static io.sessionbroker.broker.logout.LogoutFixtures.sessionStatus;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

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
}
