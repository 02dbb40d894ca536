package io.sessionbroker.broker.reconcile;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Spaces requests evenly, at most {@code perSecond} a second, by making the caller wait. One
 * instance is shared by every issuer, since several realms usually live on one Keycloak.
 */
final class RequestRateLimiter {

  /** Waits; {@link Thread#sleep(long, int)} in production, recorded in tests. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final long spacingNanos;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private boolean started;
  private long nextSlot;

  RequestRateLimiter(int perSecond) {
    this(perSecond, System::nanoTime, RequestRateLimiter::sleep);
  }

  RequestRateLimiter(int perSecond, LongSupplier nanoTime, Sleeper sleeper) {
    if (perSecond < 1) {
      throw new IllegalArgumentException(
          "session-broker.reconciliation.max-requests-per-second must be at least 1, is "
              + perSecond);
    }
    this.spacingNanos = Duration.ofSeconds(1).toNanos() / perSecond;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
  }

  /** Returns when the next request may go. */
  synchronized void acquire() throws InterruptedException {
    long now = nanoTime.getAsLong();
    if (started && now - nextSlot < 0) {
      sleeper.sleep(Duration.ofNanos(nextSlot - now));
      now = nextSlot;
    }
    started = true;
    nextSlot = now + spacingNanos;
  }

  private static void sleep(Duration duration) throws InterruptedException {
    Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
  }
}
