package io.sessionbroker.broker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisSentinelSetup;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The broker and the client library on Redis Sentinel, across a master failover: logouts before and
 * after the replica's promotion are all answered 200 and delivered once.
 */
@QuarkusTest
@WithTestResource(SentinelTestResources.class)
class RedisSentinelFailoverTest {

  private static final int LOGOUTS_PER_PHASE = 20;

  @InjectTestIssuer TestIssuer issuer;
  RedisSentinelSetup sentinel;

  @Test
  void whenTheMasterFailsOverThenRegistrationLogoutAndDeliveryKeepWorking() {
    try (DeliveryProbe probe =
        new DeliveryProbe(issuer, options -> options.redisUri(sentinel.sentinelUri()))) {
      List<String> before = registerAndLogOut(probe);
      probe.awaitDelivery("Sentinel before failover", before);

      sentinel.failover();

      List<String> after = registerAndLogOut(probe);
      List<String> all = new ArrayList<>(before);
      all.addAll(after);
      probe.awaitDelivery("Sentinel across failover", all);
      assertThat(after).allSatisfy(sid -> assertThat(probe.status(sid)).isEqualTo("revoked"));
    }
  }

  private static List<String> registerAndLogOut(DeliveryProbe probe) {
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < LOGOUTS_PER_PHASE; i++) {
      sids.add(probe.register());
    }
    for (String sid : sids) {
      assertThat(probe.logout(sid)).as("logout of %s", sid).isEqualTo(200);
    }
    return sids;
  }
}
