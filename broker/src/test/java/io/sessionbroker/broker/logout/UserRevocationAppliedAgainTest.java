package io.sessionbroker.broker.logout;

import static io.sessionbroker.broker.logout.LogoutFixtures.registerActive;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import io.sessionbroker.broker.session.RevocationService;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A revocation of a user applied again (a journaled sub-only logout replayed after the user's next
 * logout was recorded) repeats the logout it was taken for: no third event (SPEC §3.3), while each
 * of the two logouts has its own.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class UserRevocationAppliedAgainTest {

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Inject RevocationService revocations;

  @Test
  void whenAnEarlierUserRevocationIsAppliedAgainThenNoClientIsToldAgain() {
    LogoutFixtures fixtures = new LogoutFixtures(redis);
    String sub = unique("user");
    String app2Jti = unique("jti");
    Instant now = Instant.now();
    Instant firstLogout = now.minusSeconds(5);
    registerActive(issuer, "app1", unique("JSESSION-1"), unique("sid"), sub);
    // One sign-out: Keycloak's sub-only tokens to app2 and app1.
    revocations.revokeUser("test", sub, "app2", Reason.BACKCHANNEL_LOGOUT, app2Jti, firstLogout);
    revocations.revokeUser(
        "test", sub, "app1", Reason.BACKCHANNEL_LOGOUT, unique("jti"), firstLogout);
    // The user signs in to app1 again and signs out of it: a new logout, app2 is not in it.
    registerActive(issuer, "app1", unique("JSESSION-2"), unique("sid"), sub);
    revocations.revokeUser("test", sub, "app1", Reason.BACKCHANNEL_LOGOUT, unique("jti"), now);

    // app2's token of the first logout, journaled and applied again.
    revocations.revokeUser("test", sub, "app2", Reason.BACKCHANNEL_LOGOUT, app2Jti, firstLogout);

    assertThat(fixtures.eventsForSub("test", "app1", sub)).as("app1's events").hasSize(2);
    assertThat(fixtures.eventsForSub("test", "app2", sub)).as("app2's events").hasSize(1);
  }
}
