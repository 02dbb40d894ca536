package io.sessionbroker.examples.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One part of the stack running as its own JVM: started with its console output in a log file,
 * awaited on a health URL, stopped with its whole process tree.
 */
final class ChildProcess implements AutoCloseable {

  /**
   * Environment variables that configure the broker or the apps: a developer's settings for some
   * other deployment must not leak into the stack.
   */
  private static final List<String> ISOLATED_PREFIXES =
      List.of("QUARKUS_", "SESSION_BROKER_", "APP_", "OIDC_", "KC_");

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final int LOG_LINES_ON_FAILURE = 60;

  private final String name;
  private final Process process;
  private final Path logFile;

  private ChildProcess(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * Starts {@code command} in {@code workingDir} with the parent's environment less {@link
   * #ISOLATED_PREFIXES}, plus {@code env}; standard output and error go to {@code logFile}.
   */
  static ChildProcess start(
      String name, List<String> command, Map<String, String> env, Path workingDir, Path logFile) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workingDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    Map<String, String> environment = builder.environment();
    environment
        .keySet()
        .removeIf(variable -> ISOLATED_PREFIXES.stream().anyMatch(variable::startsWith));
    environment.putAll(env);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      return new ChildProcess(name, process, logFile);
    } catch (IOException e) {
      throw new LocalStackException("Could not start " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Waits until {@code health} answers {@code 2xx}.
   *
   * @throws LocalStackException when the process exits first or the timeout passes, with the tail
   *     of its log
   */
  void awaitReady(URI health, Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new LocalStackException(
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
    throw new LocalStackException(
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
      throw new LocalStackException("Interrupted while waiting for " + health, e);
    }
  }

  /** The part's name, e.g. {@code broker}. */
  String name() {
    return name;
  }

  /** The running process. */
  ProcessHandle handle() {
    return process.toHandle();
  }

  /** Its console log. */
  Path logFile() {
    return logFile;
  }

  /** Whether it still runs. */
  boolean isAlive() {
    return process.isAlive();
  }

  /** Its exit code; only once it has exited. */
  int exitValue() {
    return process.exitValue();
  }

  /**
   * Stops the process and its descendants: SIGTERM (a JVM then runs its shutdown hooks), up to 20 s
   * of patience, then SIGKILL. Idempotent.
   */
  @Override
  public void close() {
    // Collect the tree first: once the parent has exited its children can no longer be found.
    List<ProcessHandle> tree =
        Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants()).toList();
    tree.forEach(ProcessHandle::destroy);
    Instant deadline = Instant.now().plus(STOP_TIMEOUT);
    for (ProcessHandle handle : tree) {
      awaitExit(handle, Duration.between(Instant.now(), deadline));
    }
    for (ProcessHandle handle : tree) {
      if (handle.isAlive()) {
        handle.destroyForcibly();
        awaitExit(handle, Duration.ofSeconds(5));
      }
    }
  }

  private static void awaitExit(ProcessHandle handle, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      return;
    }
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Left for destroyForcibly.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String logTail() {
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
      throw new LocalStackException("Interrupted while starting the stack", e);
    }
  }
}
