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
import java.time.Instant;
import java.util.List;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

/**
 * A user who signs out (sub-only logout token, "Backchannel logout session required" off), signs in
 * again and signs out again through the same client is logged out twice: the second logout gets its
 * own event (SPEC §3.3), even though Keycloak's tokens of one logout are taken together.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SecondSubOnlyLogoutTest {

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Test
  void whenTheUserSignsOutAgainThroughTheSameClientThenTheAppIsToldAgain() {
    LogoutFixtures fixtures = new LogoutFixtures(redis);
    String sub = unique("user");
    String firstSession = unique("JSESSION-1");
    registerActive(issuer, "app1", firstSession, unique("sid"), sub);
    long now = Instant.now().getEpochSecond();
    assertThat(postLogoutToken(logoutToken("app1", sub, now - 5)).statusCode()).isEqualTo(200);

    String secondSession = unique("JSESSION-2");
    registerActive(issuer, "app1", secondSession, unique("sid"), sub);
    assertThat(postLogoutToken(logoutToken("app1", sub, now)).statusCode()).isEqualTo(200);

    List<LogoutFixtures.StreamEntry> events = fixtures.eventsForSub("test", "app1", sub);
    assertThat(events).as("app1's events").hasSize(2);
    assertThat(events.get(1).json().path("sessionIds").toString()).contains(secondSession);
  }

  private String logoutToken(String clientId, String sub, long issuedAtSeconds) {
    JwtClaims claims = issuer.logoutTokenClaims(clientId, null, sub);
    claims.setIssuedAt(NumericDate.fromSeconds(issuedAtSeconds));
    return issuer.sign(claims, "logout+jwt");
  }
}
