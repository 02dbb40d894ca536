package io.sessionbroker.benchmark;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Redis reference: {@code redis-benchmark} (Debian package redis-tools) against the same {@code
 * redis-server} the broker uses, in the same run. Each test runs several rounds; the median round
 * is reported.
 */
final class RedisBenchmarkReference {

  /** One {@code redis-benchmark} test. */
  record Test(String name, String description, int subscribers, List<String> arguments) {}

  /** Median of the rounds of one test (by requests per second) and all rounds' rates. */
  record Figure(Test test, double rps, double p50Ms, double p99Ms, List<Double> roundRates) {}

  /** An event-sized payload (the broker publishes about 300 bytes per revocation). */
  static final String EVENT_PAYLOAD = "x".repeat(300);

  static final List<Test> TESTS =
      List.of(
          new Test(
              "SET", "SET, 50 connections", 0, List.of("-c", "50", "-n", "100000", "-t", "set")),
          new Test(
              "SET -P 16",
              "SET, 50 connections, pipeline 16",
              0,
              List.of("-c", "50", "-n", "400000", "-P", "16", "-t", "set")),
          new Test(
              "PUBLISH",
              "PUBLISH of a 300-byte message, 50 connections, no subscriber",
              0,
              List.of("-c", "50", "-n", "100000", "PUBLISH", "sb:bench:reference", EVENT_PAYLOAD)),
          new Test(
              "PUBLISH, 10 subscribers",
              "PUBLISH of a 300-byte message, 50 connections, 10 subscribers (Lettuce, in the harness)",
              10,
              List.of("-c", "50", "-n", "50000", "PUBLISH", "sb:bench:reference", EVENT_PAYLOAD)),
          new Test(
              "GET, 1 connection",
              "GET, one connection, one request at a time (round-trip latency)",
              0,
              List.of("-c", "1", "-n", "20000", "-t", "get")));

  private RedisBenchmarkReference() {}

  static String binary() {
    String fromEnv = System.getenv("REDIS_BENCHMARK");
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv : "redis-benchmark";
  }

  static List<Figure> measure(String redisUri, int port, int rounds) {
    List<Figure> figures = new ArrayList<>();
    for (Test test : TESTS) {
      List<double[]> results = new ArrayList<>();
      try (Subscribers subscribers = new Subscribers(redisUri, test.subscribers())) {
        for (int r = 0; r < rounds; r++) {
          results.add(runOnce(port, test));
        }
      }
      results.sort((a, b) -> Double.compare(a[0], b[0]));
      double[] median = results.get(results.size() / 2);
      figures.add(
          new Figure(
              test, median[0], median[1], median[2], results.stream().map(x -> x[0]).toList()));
    }
    return figures;
  }

  /** Plain subscribers of the reference channel, so PUBLISH has copies to deliver. */
  private static final class Subscribers implements AutoCloseable {
    private final RedisClient client;
    private final List<StatefulRedisPubSubConnection<String, String>> connections =
        new ArrayList<>();

    Subscribers(String redisUri, int count) {
      client = count == 0 ? null : RedisClient.create(redisUri);
      for (int i = 0; i < count; i++) {
        StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub();
        connection.sync().subscribe("sb:bench:reference");
        connections.add(connection);
      }
    }

    @Override
    public void close() {
      connections.forEach(StatefulRedisPubSubConnection::close);
      if (client != null) {
        client.shutdown();
      }
    }
  }

  /** Returns {rps, p50 ms, p99 ms}. */
  private static double[] runOnce(int port, Test test) {
    List<String> command = new ArrayList<>();
    command.addAll(List.of(binary(), "-h", "127.0.0.1", "-p", Integer.toString(port), "--csv"));
    command.addAll(test.arguments());
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("redis-benchmark failed: " + out);
      }
      for (String line : out.split("\r?\n")) {
        if (line.startsWith("\"test\"") || !line.startsWith("\"")) {
          continue;
        }
        // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95","p99","max"
        String[] cells = line.replace("\"", "").split(",");
        int n = cells.length;
        return new double[] {
          Double.parseDouble(cells[n - 7]),
          Double.parseDouble(cells[n - 4]),
          Double.parseDouble(cells[n - 2])
        };
      }
      throw new IllegalStateException("redis-benchmark printed no CSV row: " + out);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "redis-benchmark could not run: install the Debian package redis-tools", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
