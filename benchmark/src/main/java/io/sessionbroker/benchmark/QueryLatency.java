package io.sessionbroker.benchmark;

import java.io.IOException;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Query latency: one connection, one query at a time (no queueing in the harness), timed from the
 * first byte written to the last byte of the answer read.
 */
final class QueryLatency {

  /** Percentiles and how many answers were not 200. */
  record Result(Stats.Percentiles latency, long failures, ResourceMeter.Usage usage) {}

  private QueryLatency() {}

  static Result run(int port, List<byte[]> warmUp, List<byte[]> queries, ResourceMeter meter)
      throws IOException {
    try (HttpConnection http = new HttpConnection(port)) {
      for (byte[] query : warmUp) {
        http.exchange(query, false);
      }
      Histogram latency = Stats.nanosHistogram();
      long failures = 0;
      ResourceMeter.Window window = meter.begin();
      for (byte[] query : queries) {
        long started = System.nanoTime();
        int status = http.exchange(query, false).status();
        latency.recordValue(System.nanoTime() - started);
        if (status != 200) {
          failures++;
        }
      }
      return new Result(Stats.Percentiles.of(latency), failures, window.end());
    }
  }
}
