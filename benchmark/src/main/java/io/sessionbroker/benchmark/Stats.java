package io.sessionbroker.benchmark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Medians of rounds and latency percentiles. */
final class Stats {

  /** Latency percentiles in milliseconds. */
  record Percentiles(long count, double p50, double p90, double p99, double p999, double max) {
    static Percentiles of(Histogram nanos) {
      return new Percentiles(
          nanos.getTotalCount(),
          ms(nanos.getValueAtPercentile(50)),
          ms(nanos.getValueAtPercentile(90)),
          ms(nanos.getValueAtPercentile(99)),
          ms(nanos.getValueAtPercentile(99.9)),
          ms(nanos.getMaxValue()));
    }

    private static double ms(long nanos) {
      return nanos / 1e6;
    }
  }

  private Stats() {}

  /** A histogram of nanoseconds up to one minute, three significant digits. */
  static Histogram nanosHistogram() {
    return new Histogram(60_000_000_000L, 3);
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }
}
