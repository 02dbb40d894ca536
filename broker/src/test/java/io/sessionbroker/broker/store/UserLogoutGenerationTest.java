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
 * When user_logout.lua takes a revocation of a user (a sub-only logout token, an admin revocation
 * by {@code sub}) for a new logout (its own generation and receipt time, so its own events) and
 * when for a repeat of the recorded one, on a real redis-server. The rule is revoke_sid.lua's:
 * within the fan-out window after the recorded logout was received, another client's token
 * (Keycloak sends each client of one logout its own token, with its own {@code jti} and {@code
 * iat}) or an admin retry repeats it; a token of a client the logout already had, or anything after
 * the window, is a new logout. A revocation id seen before always repeats the logout it was taken
 * for.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class UserLogoutGenerationTest {

  private static final LuaScript USER_LOGOUT = LuaScript.load("user_logout");
  private static final long TTL = 3_600_000;
  private static final long FAN_OUT_WINDOW = 10_000;

  @Inject RedisDataSource redis;

  private final RedisKeys keys = new RedisKeys("sb-user-logout-test");
  private final String key = keys.userLogout("test", UUID.randomUUID().toString());
  private final long now = System.currentTimeMillis();
  private final long first = now / 1000 - 100;

  @Test
  void whenEachClientGetsItsOwnTokenOfOneLogoutThenTheyAreOneLogout() {
    Response app1 = record(now, "app1", "jti-1", first);
    Response app2 = record(now + 1_000, "app2", "jti-2", first + 1);
    Response app3 = record(now + 2_000, "app3", "jti-3", first + 2);

    assertThat(generation(app1)).isZero();
    assertThat(List.of(generation(app2), generation(app3))).containsOnly(0L);
    assertThat(List.of(revokedAt(app1), revokedAt(app2), revokedAt(app3))).containsOnly(now);
  }

  @Test
  void whenTheSameClientLogsTheUserOutAgainThenItIsANewLogout() {
    record(now, "app1", "jti-1", first);
    record(now + 500, "app2", "jti-2", first);
    Response app1Again = record(now + 3_000, "app1", "jti-3", first + 3);
    Response app2OfIt = record(now + 3_500, "app2", "jti-4", first + 3);

    assertThat(generation(app1Again)).isEqualTo(1);
    assertThat(revokedAt(app1Again)).isEqualTo(now + 3_000);
    assertThat(generation(app2OfIt)).isEqualTo(1);
    assertThat(revokedAt(app2OfIt)).isEqualTo(now + 3_000);
  }

  @Test
  void whenAnotherClientsTokenComesAfterTheFanOutWindowThenItIsANewLogout() {
    record(now, "app1", "jti-1", first);
    Response app2 = record(now + FAN_OUT_WINDOW + 1, "app2", "jti-2", first + 11);

    assertThat(generation(app2)).isEqualTo(1);
    assertThat(revokedAt(app2)).isEqualTo(now + FAN_OUT_WINDOW + 1);
  }

  @Test
  void whenAnAdminRetriesWithinTheWindowThenItRepeatsAndLaterItIsANewLogout() {
    record(now, "", "admin-1", first);
    Response retried = record(now + 3_000, "", "admin-2", first + 3);
    Response later = record(now + 15_000, "", "admin-3", first + 15);

    assertThat(generation(retried)).isZero();
    assertThat(revokedAt(retried)).isEqualTo(now);
    assertThat(generation(later)).isEqualTo(1);
    assertThat(revokedAt(later)).isEqualTo(now + 15_000);
  }

  @Test
  void whenARevocationIsAppliedAgainLaterThenItRepeatsTheLogoutItWasTakenFor() {
    record(now, "app1", "jti-1", first);
    record(now + 20_000, "app1", "jti-2", first + 20);
    Response replayed = record(now + 60_000, "app1", "jti-1", first);

    assertThat(generation(replayed)).isZero();
    assertThat(revokedAt(replayed)).isEqualTo(now);
  }

  @Test
  void whenTheRecordExpiredThenTheNextLogoutHasAnotherReceiptTime() {
    Response one = record(now, "app1", "jti-1", first);
    redis.execute("DEL", key);
    Response two = record(now + 60_000, "app1", "jti-2", first + 60);

    assertThat(generation(two)).isEqualTo(generation(one));
    assertThat(revokedAt(two)).isNotEqualTo(revokedAt(one));
  }

  /** user_logout.lua as RedisRevocations sends it. */
  private Response record(long atMillis, String audience, String origin, long seconds) {
    return USER_LOGOUT.run(
        redis,
        List.of(key),
        List.of(
            Long.toString(atMillis),
            Long.toString(seconds),
            audience,
            origin,
            Long.toString(FAN_OUT_WINDOW),
            Long.toString(TTL)));
  }

  private static long generation(Response result) {
    return Long.parseLong(result.get(1).toString());
  }

  private static long revokedAt(Response result) {
    return Long.parseLong(result.get(0).toString());
  }
}
