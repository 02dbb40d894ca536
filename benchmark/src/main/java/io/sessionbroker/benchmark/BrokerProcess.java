package io.sessionbroker.benchmark;

import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.JavaProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged broker ({@code broker/target/quarkus-app/quarkus-run.jar}) in its own JVM, as it
 * runs in production, with the heap cap of SPEC §6 ({@code -Xmx256m}) and its configuration as
 * system properties.
 */
final class BrokerProcess implements AutoCloseable {

  /** What the broker reports about its JVM at one moment. */
  record JvmMetrics(long heapUsedBytes, double gcPauseSeconds, long gcPauses) {}

  private final int port = FreePorts.next();
  private final int managementPort = FreePorts.next();
  private final JavaProcess process;

  /**
   * @param jvmOptions extra JVM options (e.g. a flight recording from the start)
   * @param config broker configuration, passed as system properties
   */
  BrokerProcess(Path jar, Path workDir, List<String> jvmOptions, Map<String, String> config) {
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create " + workDir, e);
    }
    JavaProcess.Builder launch =
        JavaProcess.builder("broker", jar)
            .workingDir(workDir)
            .logFile(workDir.resolve("broker.log"))
            .systemProperty("quarkus.http.port", Integer.toString(port))
            .systemProperty("quarkus.management.host", "127.0.0.1")
            .systemProperty("quarkus.management.port", Integer.toString(managementPort))
            .systemProperty("quarkus.log.level", "WARN")
            .systemProperty("quarkus.log.category.\"io.sessionbroker\".level", "WARN")
            .systemProperty(
                "session-broker.outbox.directory",
                workDir.resolve("outbox").toAbsolutePath().toString())
            .systemProperties(config);
    jvmOptions.forEach(launch::jvmOption);
    process = launch.start();
    try {
      process.awaitReady(
          URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"),
          Duration.ofSeconds(90));
    } catch (IllegalStateException e) {
      process.close();
      throw e;
    }
  }

  int port() {
    return port;
  }

  /** The management interface's port: health and {@code /q/metrics}. */
  int managementPort() {
    return managementPort;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Heap in use and GC pauses so far, from {@code /q/metrics} on the management port ({@code http}
   * must be connected to {@link #managementPort()}).
   */
  JvmMetrics jvmMetrics(HttpConnection http) throws IOException {
    String text =
        http.exchange(HttpConnection.get(managementPort, "/q/metrics", null), true).text();
    long heap = 0;
    double pauseSeconds = 0;
    long pauses = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        heap += (long) value(line);
      } else if (line.startsWith("jvm_gc_pause_seconds_sum{")) {
        pauseSeconds += value(line);
      } else if (line.startsWith("jvm_gc_pause_seconds_count{")) {
        pauses += (long) value(line);
      }
    }
    return new JvmMetrics(heap, pauseSeconds, pauses);
  }

  private static double value(String line) {
    String[] parts = line.trim().split(" ");
    return Double.parseDouble(parts[parts.length - 1]);
  }

  /** Runs {@code jcmd <pid> <args>} and returns its output. */
  String jcmd(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    command.add(Long.toString(pid()));
    command.addAll(List.of(args));
    try {
      Process jcmd = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(jcmd.getInputStream().readAllBytes());
      if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("jcmd failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String logText() {
    return process.logText();
  }

  Path log() {
    return process.logFile();
  }

  @Override
  public void close() {
    process.close();
  }
}
