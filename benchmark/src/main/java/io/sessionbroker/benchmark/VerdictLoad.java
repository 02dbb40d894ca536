package io.sessionbroker.benchmark;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Verdict throughput and latency together ({@code GET /api/v1/verdict}, SPEC §3.2): N keep-alive
 * connections in a closed loop over a set of users' access tokens, as a proxy asks about each
 * request of its users. After a warm-up (which also fills the broker's token cache, so the rounds
 * measure the steady state of a proxy that sees the same tokens again), every round gives one rate;
 * the latency of every measured request (first byte written to last byte read) goes into one
 * histogram, so the p99 is the one at the measured throughput.
 */
final class VerdictLoad {

  /**
   * Rates per round, latency over all rounds, and the answers that were not 200.
   *
   * @param tokens distinct access tokens the load cycles through
   */
  record Result(
      List<Double> roundRates,
      Stats.Percentiles latency,
      long measuredOperations,
      int tokens,
      int connections,
      Map<Integer, Long> unexpectedStatuses,
      long ioErrors,
      ResourceMeter.Usage usage) {

    double medianRate() {
      return Stats.median(roundRates);
    }

    long failures() {
      return ioErrors + unexpectedStatuses.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private VerdictLoad() {}

  static Result run(
      int port,
      List<String> tokens,
      int connections,
      Duration warmUp,
      int rounds,
      Duration round,
      ResourceMeter meter)
      throws InterruptedException {
    List<byte[]> requests = new ArrayList<>(tokens.size());
    for (String token : tokens) {
      requests.add(HttpConnection.get(port, "/api/v1/verdict", token));
    }
    LongAdder ok = new LongAdder();
    LongAdder ioErrors = new LongAdder();
    Map<Integer, Long> unexpected = new ConcurrentHashMap<>();
    Recorder latency = new Recorder(60_000_000_000L, 3);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      int connection = c;
      Thread thread =
          new Thread(
              () -> {
                try (HttpConnection http = new HttpConnection(port)) {
                  for (int seq = 0; !stop.get(); seq++) {
                    byte[] request =
                        requests.get((connection + seq * connections) % requests.size());
                    long started = System.nanoTime();
                    try {
                      int status = http.exchange(request, false).status();
                      latency.recordValue(System.nanoTime() - started);
                      if (status == 200) {
                        ok.increment();
                      } else {
                        unexpected.merge(status, 1L, Long::sum);
                      }
                    } catch (IOException e) {
                      ioErrors.increment();
                    }
                  }
                }
              },
              "verdict-load-" + c);
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
    Thread.sleep(warmUp.toMillis());
    unexpected.clear();
    long ioErrorsBefore = ioErrors.sum();
    latency.reset();
    ResourceMeter.Window window = meter.begin();
    List<Double> rates = new ArrayList<>();
    long measured = 0;
    for (int r = 0; r < rounds; r++) {
      long before = ok.sum();
      long started = System.nanoTime();
      Thread.sleep(round.toMillis());
      long done = ok.sum() - before;
      measured += done;
      rates.add(done / ((System.nanoTime() - started) / 1e9));
    }
    Histogram measuredLatency = latency.getIntervalHistogram();
    ResourceMeter.Usage usage = window.end();
    stop.set(true);
    for (Thread thread : threads) {
      thread.join(30_000);
    }
    return new Result(
        rates,
        Stats.Percentiles.of(measuredLatency),
        measured,
        tokens.size(),
        connections,
        Map.copyOf(unexpected),
        ioErrors.sum() - ioErrorsBefore,
        usage);
  }
}
