package io.sessionbroker.broker.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spacing of Keycloak requests, on a fake clock. */
class RequestRateLimiterTest {

  private long now = 1_000_000_000L;
  private final List<Duration> sleeps = new ArrayList<>();
  private final RequestRateLimiter limiter =
      new RequestRateLimiter(
          4,
          () -> now,
          duration -> {
            sleeps.add(duration);
            now += duration.toNanos();
          });

  @Test
  void whenRequestsComeAtOnceThenTheyAreSpacedByOneOverTheRate() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      limiter.acquire();
    }

    assertThat(sleeps).hasSize(4).allMatch(sleep -> sleep.equals(Duration.ofMillis(250)));
  }

  @Test
  void whenRequestsAreSlowerThanTheRateThenNobodyWaits() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      limiter.acquire();
      now += Duration.ofMillis(300).toNanos();
    }

    assertThat(sleeps).isEmpty();
  }

  @Test
  void whenARequestComesHalfwayThenItWaitsTheRest() throws InterruptedException {
    limiter.acquire();
    now += Duration.ofMillis(100).toNanos();

    limiter.acquire();

    assertThat(sleeps).containsExactly(Duration.ofMillis(150));
  }

  @Test
  void whenTheRateIsBelowOneThenItIsRefused() {
    assertThatThrownBy(() -> new RequestRateLimiter(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max-requests-per-second");
  }
}
