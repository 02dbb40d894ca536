package io.sessionbroker.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A packaged Java application (the broker's {@code quarkus-run.jar}, an example app) in its own
 * JVM, as it runs in production: console output in a log file, readiness awaited on a health URL,
 * stopped with its whole process tree. Used by the local stack, the packaged-broker ITs and the
 * benchmark.
 */
public final class JavaProcess implements AutoCloseable {

  private static final Duration STOP_PATIENCE = Duration.ofSeconds(20);
  private static final int LOG_LINES_ON_FAILURE = 60;

  private final String name;
  private final Process process;
  private final Path logFile;

  private JavaProcess(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * A launch of {@code jar} named {@code name} (used in messages), with {@code -Xmx256m} (the
   * broker's heap cap, SPEC §6) unless {@link Builder#maxHeap(String)} says otherwise.
   */
  public static Builder builder(String name, Path jar) {
    return new Builder(name, jar);
  }

  /** Options of one launch. */
  public static final class Builder {
    private final String name;
    private final Path jar;
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> removedEnvPrefixes = new ArrayList<>();
    private String maxHeap = "256m";
    private Path workingDir = Path.of(".");
    private Path logFile;

    private Builder(String name, Path jar) {
      this.name = name;
      this.jar = jar;
    }

    /** A JVM option such as {@code -XX:StartFlightRecording=...}. */
    public Builder jvmOption(String option) {
      jvmOptions.add(option);
      return this;
    }

    /** {@code -Dkey=value}; for Quarkus apps, any configuration key. */
    public Builder systemProperty(String key, String value) {
      systemProperties.put(key, value);
      return this;
    }

    /** Every entry as {@code -Dkey=value}. */
    public Builder systemProperties(Map<String, String> properties) {
      systemProperties.putAll(properties);
      return this;
    }

    /** An environment variable: the place for secrets, which {@code ps} would show otherwise. */
    public Builder env(String variable, String value) {
      env.put(variable, value);
      return this;
    }

    /** Environment variables, see {@link #env(String, String)}. */
    public Builder env(Map<String, String> variables) {
      env.putAll(variables);
      return this;
    }

    /**
     * Drops the parent's environment variables starting with these prefixes (for example {@code
     * QUARKUS_}), so that a developer's settings for another deployment do not leak in.
     */
    public Builder withoutInheritedEnv(List<String> prefixes) {
      removedEnvPrefixes.addAll(prefixes);
      return this;
    }

    /** {@code -Xmx}, e.g. {@code 256m}. */
    public Builder maxHeap(String size) {
      maxHeap = size;
      return this;
    }

    /** The working directory (default: this JVM's). */
    public Builder workingDir(Path directory) {
      workingDir = directory;
      return this;
    }

    /** Where the console output goes (appended); default: a new temporary file. */
    public Builder logFile(Path file) {
      logFile = file;
      return this;
    }

    /**
     * Starts the JVM; does not wait for it to be ready (see {@link JavaProcess#awaitReady}).
     *
     * @throws IllegalStateException when the jar is not built
     * @throws UncheckedIOException when the process cannot be started
     */
    public JavaProcess start() {
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it first");
      }
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx" + maxHeap);
      command.addAll(jvmOptions);
      systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
      command.add("-jar");
      command.add(jar.toAbsolutePath().toString());
      try {
        Path log = logFile != null ? logFile : Files.createTempFile(name + "-", ".log");
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .directory(workingDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> environment = builder.environment();
        environment
            .keySet()
            .removeIf(variable -> removedEnvPrefixes.stream().anyMatch(variable::startsWith));
        environment.putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        return new JavaProcess(name, process, log);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not start " + name + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Waits until {@code health} answers {@code 2xx}.
   *
   * @throws IllegalStateException when the process exits first or the timeout passes; the message
   *     holds the tail of its log
   */
  public void awaitReady(URI health, Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited with code "
                + process.exitValue()
                + " while starting; last lines of "
                + logFile
                + ":\n"
                + logTail());
      }
      if (answers(http, health)) {
        return;
      }
      sleep(250);
    }
    throw new IllegalStateException(
        name
            + " was not ready at "
            + health
            + " after "
            + timeout.toSeconds()
            + " s; last lines of "
            + logFile
            + ":\n"
            + logTail());
  }

  private static boolean answers(HttpClient http, URI health) {
    try {
      HttpRequest request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build();
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      return status >= 200 && status < 300;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + health, e);
    }
  }

  /** The name given at launch, e.g. {@code broker}. */
  public String name() {
    return name;
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether it still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Its exit code; only once it has exited. */
  public int exitValue() {
    return process.exitValue();
  }

  /** Its console log. */
  public Path logFile() {
    return logFile;
  }

  /** The whole console log so far. */
  public String logText() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The last lines of the console log, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_ON_FAILURE), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting", e);
    }
  }

  /** Stops the JVM and its descendants ({@link ProcessTree#stop}); idempotent. */
  @Override
  public void close() {
    ProcessTree.stop(process.toHandle(), STOP_PATIENCE);
  }
}
