package io.sessionbroker.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.store.RedisKeys;
import io.sessionbroker.broker.testing.BrokerTestResources;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Redis memory per registration, measured as the growth of used_memory. Realistic shape: UUID sids
 * and subs, two clients per SSO session, 32-char session ids. Prints the figure for
 * docs/architecture.md (318 B on Redis 7.0 with IndexEncoding's compact ids; 378-407 B before,
 * varying with what else the shared test Redis holds; 375-400 B before the user index became
 * listpacks, a layout that pays off at a million registrations rather than at ten thousand, see
 * docs/architecture.md). Also checks that the index buckets stay listpacks, which is what keeps
 * them compact at the SPEC §6 scale.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RegistryFootprintTest {

  private static final int SSO_SESSIONS = 10_000;

  @Inject SessionStore store;
  @Inject io.quarkus.redis.datasource.RedisDataSource redis;
  @Inject RedisKeys keys;

  @Test
  void whenTenThousandSsoSessionsWithTwoClientsAreRegisteredThenFootprintIsCompact() {
    long before = usedMemory();
    Instant now = Instant.now();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String sub = null;
    String sessionId = null;
    for (int i = 0; i < SSO_SESSIONS; i++) {
      String sid = UUID.randomUUID().toString();
      sub = UUID.randomUUID().toString();
      for (String client : new String[] {"footprint-a-" + run, "footprint-b-" + run}) {
        store.register(
            new NewRegistration(
                "test",
                client,
                sessionId = UUID.randomUUID().toString().replace("-", ""),
                sid,
                sub,
                now,
                now.plus(Duration.ofHours(10)),
                true));
      }
    }
    long bytesPerRegistration = (usedMemory() - before) / (SSO_SESSIONS * 2L);
    System.out.printf(
        "Redis bytes per registration (2 clients per sid, %d sids): %d%n",
        SSO_SESSIONS, bytesPerRegistration);
    assertThat(bytesPerRegistration).isPositive().isLessThan(420);
    assertThat(encoding(keys.userSessions("test", sub))).isEqualTo("listpack");
    assertThat(encoding(keys.clientSessions("test", "footprint-b-" + run, sessionId)))
        .isEqualTo("listpack");
  }

  private String encoding(String key) {
    return redis.execute("OBJECT", "ENCODING", key).toString();
  }

  private long usedMemory() {
    String memory = redis.execute("INFO", "memory").toString();
    for (String line : memory.split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("INFO memory has no used_memory");
  }
}
