package io.sessionbroker.benchmark;

import io.sessionbroker.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private final Process process;
  private final Path log;

  /**
   * @param jvmOptions extra JVM options (e.g. a flight recording from the start)
   * @param config broker configuration, passed as system properties
   */
  BrokerProcess(Path jar, Path workDir, List<String> jvmOptions, Map<String, String> config) {
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it first");
    }
    try {
      Files.createDirectories(workDir);
      log = workDir.resolve("broker.log");
      List<String> command = new ArrayList<>();
      command.add(javaBinary());
      command.add("-Xmx256m");
      command.addAll(jvmOptions);
      command.add("-Dquarkus.http.port=" + port);
      command.add("-Dquarkus.log.level=WARN");
      command.add("-Dquarkus.log.category.\"io.sessionbroker\".level=WARN");
      command.add(
          "-Dsession-broker.outbox.directory=" + workDir.resolve("outbox").toAbsolutePath());
      config.forEach((key, value) -> command.add("-D" + key + "=" + value));
      command.add("-jar");
      command.add(jar.toAbsolutePath().toString());
      process =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the broker", e);
    }
    awaitReady();
  }

  /** The java launcher of this JVM: the broker runs on the same runtime as the references. */
  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    byte[] ready = HttpConnection.get(port, "/q/health/ready", null);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("The broker exited at start; log: " + logText());
      }
      try (HttpConnection http = new HttpConnection(port)) {
        if (http.exchange(ready, false).status() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Still starting.
      }
      sleep(250);
    }
    close();
    throw new IllegalStateException("The broker did not become ready; log: " + logText());
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Heap in use and GC pauses so far, from {@code /q/metrics}. */
  JvmMetrics jvmMetrics(HttpConnection http) throws IOException {
    String text = http.exchange(HttpConnection.get(port, "/q/metrics", null), true).text();
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
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log)";
    }
  }

  Path log() {
    return log;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
