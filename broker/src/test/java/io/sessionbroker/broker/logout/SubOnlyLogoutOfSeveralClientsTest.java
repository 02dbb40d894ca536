package io.sessionbroker.broker.logout;

import static io.sessionbroker.broker.logout.LogoutFixtures.postLogoutToken;
import static io.sessionbroker.broker.logout.LogoutFixtures.registerActive;
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
 * A Keycloak client with "Backchannel logout session required" off gets logout tokens with {@code
 * sub} and no {@code sid}; one sign-out of the user sends one such token to each client with a
 * session of the user (its own {@code aud} and {@code jti}). That is one logout: SPEC §3.3, "for
 * each valid logout, every affected client gets exactly one event in its stream", as the broker
 * already does for the per-client tokens of a {@code sid} logout.
 *
 * <p>RevocationService#revokeUser dedupes by {@code "user:<sub>:<jti>"}, so each client's token
 * appends a {@code user.revoked} to every client with sessions of the user again: with two clients,
 * each app is told twice.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SubOnlyLogoutOfSeveralClientsTest {

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Test
  void whenEachClientGetsItsOwnSubOnlyTokenOfOneLogoutThenEachAppIsToldOnce() {
    LogoutFixtures fixtures = new LogoutFixtures(redis);
    String sid = unique("sid");
    String sub = unique("user");
    registerActive(issuer, "app1", unique("JSESSION-app1"), sid, sub);
    registerActive(issuer, "app2", unique("JSESSION-app2"), sid, sub);

    // Keycloak's fan-out of one sign-out: one token per client, no sid.
    assertThat(postLogoutToken(issuer.logoutToken("app1", null, sub)).statusCode()).isEqualTo(200);
    assertThat(postLogoutToken(issuer.logoutToken("app2", null, sub)).statusCode()).isEqualTo(200);

    assertThat(fixtures.eventsForSub("test", "app1", sub)).as("app1's events").hasSize(1);
    assertThat(fixtures.eventsForSub("test", "app2", sub)).as("app2's events").hasSize(1);
  }
}
