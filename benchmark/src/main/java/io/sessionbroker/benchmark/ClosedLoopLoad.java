package io.sessionbroker.benchmark;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Throughput: N keep-alive connections, each sending its next request as soon as the previous
 * answer is read. After a warm-up, the completed count is read at round boundaries, so every round
 * gives one rate and the median of the rounds is reported.
 */
final class ClosedLoopLoad {

  /** The requests of one connection; null when it has none left. */
  interface RequestSource {
    byte[] next(int connection, int sequence);
  }

  /** Rates per round, and how the requests ended. */
  record Result(
      List<Double> roundRates,
      long measuredOperations,
      ResourceMeter.Usage usage,
      Map<Integer, Long> statusCounts,
      long ioErrors,
      boolean sourceExhausted,
      Instant measureStart,
      Instant measureEnd) {

    double medianRate() {
      return Stats.median(roundRates);
    }

    long failures() {
      return ioErrors + statusCounts.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final int port;
  private final int connections;
  private final int expectedStatus;

  ClosedLoopLoad(int port, int connections, int expectedStatus) {
    this.port = port;
    this.connections = connections;
    this.expectedStatus = expectedStatus;
  }

  /**
   * Sends every request of {@code source} once and returns the rate over the whole run: a short
   * probe that tells how many tokens the measured run will need.
   */
  double runAll(RequestSource source) throws InterruptedException {
    LongAdder ok = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      int connection = c;
      Thread thread =
          new Thread(
              () -> {
                try (HttpConnection http = new HttpConnection(port)) {
                  for (int seq = 0; ; seq++) {
                    byte[] request = source.next(connection, seq);
                    if (request == null) {
                      return;
                    }
                    try {
                      if (http.exchange(request, false).status() == expectedStatus) {
                        ok.increment();
                      }
                    } catch (IOException e) {
                      // Counted as not done.
                    }
                  }
                }
              },
              "probe-" + c);
      thread.setDaemon(true);
      threads.add(thread);
    }
    long started = System.nanoTime();
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    return ok.sum() / ((System.nanoTime() - started) / 1e9);
  }

  Result run(RequestSource source, Duration warmUp, int rounds, Duration round, ResourceMeter meter)
      throws InterruptedException {
    LongAdder ok = new LongAdder();
    LongAdder ioErrors = new LongAdder();
    Map<Integer, Long> unexpected = new ConcurrentHashMap<>();
    AtomicInteger running = new AtomicInteger(connections);
    List<Thread> threads = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    for (int c = 0; c < connections; c++) {
      int connection = c;
      Thread thread =
          new Thread(
              () -> {
                try (HttpConnection http = new HttpConnection(port)) {
                  for (int seq = 0; !stop.get(); seq++) {
                    byte[] request = source.next(connection, seq);
                    if (request == null) {
                      break;
                    }
                    try {
                      int status = http.exchange(request, false).status();
                      if (status == expectedStatus) {
                        ok.increment();
                      } else {
                        unexpected.merge(status, 1L, Long::sum);
                      }
                    } catch (IOException e) {
                      ioErrors.increment();
                    }
                  }
                } finally {
                  running.decrementAndGet();
                }
              },
              "load-" + c);
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
    Thread.sleep(warmUp.toMillis());
    Map<Integer, Long> warmUpFailures = Map.copyOf(unexpected);
    long ioErrorsBefore = ioErrors.sum();
    ResourceMeter.Window window = meter.begin();
    Instant measureStart = Instant.now();
    List<Double> rates = new ArrayList<>();
    long measured = 0;
    for (int r = 0; r < rounds && running.get() == connections; r++) {
      long before = ok.sum();
      long started = System.nanoTime();
      Thread.sleep(round.toMillis());
      long done = ok.sum() - before;
      // The CPU window covers this round either way, so its operations count for the costs.
      measured += done;
      if (running.get() < connections) {
        // A connection ran out of requests during this round: its rate is not sustained.
        break;
      }
      rates.add(done / ((System.nanoTime() - started) / 1e9));
    }
    ResourceMeter.Usage usage = window.end();
    Instant measureEnd = Instant.now();
    boolean exhausted = running.get() < connections;
    stop.set(true);
    for (Thread thread : threads) {
      thread.join(30_000);
    }
    Map<Integer, Long> failures = new ConcurrentHashMap<>(unexpected);
    warmUpFailures.forEach((status, count) -> failures.merge(status, -count, Long::sum));
    failures.values().removeIf(count -> count == 0);
    return new Result(
        rates,
        measured,
        usage,
        Map.copyOf(failures),
        ioErrors.sum() - ioErrorsBefore,
        exhausted,
        measureStart,
        measureEnd);
  }
}
