package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * When revoke_sid.lua takes a logout of an SSO session for a new one (its own generation, so its
 * own events, and its own time) and when for a repeat of the recorded one, on a real redis-server.
 * The rule: a revocation time (SPEC §3.2) later than the tombstone's is a new logout, except within
 * the fan-out window after the recorded logout was received for an admin revocation (a retry) and,
 * in scope {@code sso}, for a client whose token the recorded logout has not had yet (Keycloak
 * sends each client of one logout its own token, with its own {@code iat}).
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SidLogoutGenerationTest {

  private static final LuaScript REVOKE_SID = LuaScript.load("revoke_sid");
  private static final long TTL = 3_600_000;
  private static final long FAN_OUT_WINDOW = 10_000;

  @Inject RedisDataSource redis;

  private final RedisKeys keys = new RedisKeys("sb-generation-test");
  private final String key = keys.sid("test", UUID.randomUUID().toString());
  private final long now = System.currentTimeMillis();
  private final long first = now / 1000 - 100;

  @Test
  void whenTheSameClientLogsTheSidOutAgainLaterThenItIsANewLogoutWithItsOwnTime() {
    Response one = revokeSid(now, "sso", "app1", first);
    Response two = revokeSid(now + 5_000, "sso", "app1", first + 5);

    assertThat(generation(one)).isZero();
    assertThat(generation(two)).isEqualTo(1);
    assertThat(revokedAt(two)).isEqualTo(now + 5_000);
  }

  @Test
  void whenTheSameLogoutIsRetriedThenItRepeatsTheRecordedOne() {
    revokeSid(now, "sso", "app1", first);
    Response retry = revokeSid(now + 5_000, "sso", "app1", first);
    Response late = revokeSid(now + 6_000, "sso", "app1", first - 1);

    assertThat(generation(retry)).isZero();
    assertThat(revokedAt(retry)).isEqualTo(now);
    assertThat(generation(late)).isZero();
    assertThat(revokedAt(late)).isEqualTo(now);
  }

  @Test
  void whenAnotherClientsTokenOfTheSameLogoutIsIssuedASecondLaterThenItRepeatsTheLogout() {
    revokeSid(now, "sso", "app1", first);
    Response app2 = revokeSid(now + 1_000, "sso", "app2", first + 1);
    Response app1Again = revokeSid(now + 9_000, "sso", "app1", first + 9);
    Response app2Again = revokeSid(now + 9_500, "sso", "app2", first + 9);

    assertThat(generation(app2)).isZero();
    assertThat(revokedAt(app2)).isEqualTo(now);
    assertThat(generation(app1Again)).isEqualTo(1);
    assertThat(revokedAt(app1Again)).isEqualTo(now + 9_000);
    assertThat(generation(app2Again)).isEqualTo(1);
    assertThat(revokedAt(app2Again)).isEqualTo(now + 9_000);
  }

  @Test
  void whenAClientsOwnTombstoneGetsALaterLogoutThenItIsANewLogout() {
    revokeSid(now, "client", "app1", first);
    Response other = revokeSid(now + 1_000, "client", "app2", first + 1);
    Response again = revokeSid(now + 2_000, "client", "app1", first + 2);

    assertThat(generation(other)).isZero();
    assertThat(generation(again)).isEqualTo(1);
    assertThat(revokedAt(again)).isEqualTo(now + 2_000);
  }

  @Test
  void whenAnotherClientsTokenComesAfterTheFanOutWindowThenItIsANewLogout() {
    revokeSid(now, "sso", "app1", first);
    Response app2 = revokeSid(now + FAN_OUT_WINDOW + 1, "sso", "app2", first + 11);

    assertThat(generation(app2)).isEqualTo(1);
    assertThat(revokedAt(app2)).isEqualTo(now + FAN_OUT_WINDOW + 1);
  }

  @Test
  void whenAnAdminRetriesWithinTheWindowThenItRepeatsAndLaterItIsANewLogout() {
    revokeSid(now, "sso", "app1", first);
    Response retried = revokeSid(now + 3_000, "sso", "", first + 3);
    Response later = revokeSid(now + 15_000, "sso", "", first + 15);
    Response laterRetried = revokeSid(now + 16_000, "sso", "", first + 16);

    assertThat(generation(retried)).isZero();
    assertThat(revokedAt(retried)).isEqualTo(now);
    assertThat(generation(later)).isEqualTo(1);
    assertThat(revokedAt(later)).isEqualTo(now + 15_000);
    assertThat(generation(laterRetried)).isEqualTo(1);
    assertThat(revokedAt(laterRetried)).isEqualTo(now + 15_000);
  }

  /** revoke_sid.lua as RedisRevocations sends it for a whole SSO session. */
  private Response revokeSid(long atMillis, String scope, String audience, long seconds) {
    return REVOKE_SID.run(
        redis,
        List.of(key),
        List.of(
            Long.toString(atMillis),
            scope,
            scope.equals("client") ? audience : "",
            Long.toString(TTL),
            Long.toString(seconds),
            "",
            "",
            audience,
            Long.toString(FAN_OUT_WINDOW)));
  }

  private static long generation(Response result) {
    return Long.parseLong(result.get(3).toString());
  }

  private static long revokedAt(Response result) {
    return Long.parseLong(result.get(0).toString());
  }
}
