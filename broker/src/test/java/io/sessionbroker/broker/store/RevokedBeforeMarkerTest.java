package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.session.SessionStore;
import io.sessionbroker.broker.testing.BrokerTestResources;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * "Revoked before" markers only move forward (SPEC §3.2): revocations of one client or user that
 * race each other leave the latest time, never an earlier one.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RevokedBeforeMarkerTest {

  private static final int ROUNDS = 150;
  private static final int WRITERS = 8;

  @Inject SessionStore store;
  @Inject RedisDataSource redis;
  @Inject RedisKeys keys;

  @Test
  void whenClientRevocationsRaceThenTheMarkerHoldsTheLatest() throws Exception {
    List<String> lost = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        String clientId = "marker-" + UUID.randomUUID();
        CyclicBarrier start = new CyclicBarrier(WRITERS);
        long base = Instant.now().getEpochSecond() - 100;
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          Instant notBefore = Instant.ofEpochSecond(base + w);
          writers.add(
              pool.submit(
                  () -> {
                    start.await(30, TimeUnit.SECONDS);
                    store.markClientRevokedBefore("test", clientId, notBefore);
                    return null;
                  }));
        }
        for (Future<?> writer : writers) {
          writer.get(30, TimeUnit.SECONDS);
        }
        long stored =
            Long.parseLong(redis.execute("GET", keys.clientNotBefore("test", clientId)).toString());
        long latest = Instant.ofEpochSecond(base + WRITERS - 1).toEpochMilli();
        if (stored != latest) {
          lost.add(clientId + ": " + stored + " < " + latest);
        }
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(lost).as("rounds whose marker moved backwards").isEmpty();
  }

  @Test
  void whenAnOlderUserRevocationArrivesLaterThenTheMarkerKeepsTheNewer() {
    String sub = "marker-user-" + UUID.randomUUID();
    Instant newer = Instant.ofEpochSecond(Instant.now().getEpochSecond() - 10);

    store.markUserRevokedBefore("test", sub, newer);
    store.markUserRevokedBefore("test", sub, newer.minusSeconds(5));

    assertThat(redis.execute("GET", keys.userNotBefore("test", sub)).toString())
        .isEqualTo(Long.toString(newer.toEpochMilli()));
  }
}
