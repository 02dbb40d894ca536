package io.sessionbroker.examples.localstack;

import io.sessionbroker.testsupport.ProcessTree;
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
import java.util.concurrent.TimeUnit;

/**
 * The Django demo app ({@code examples/app-django}, client {@code app3}) as its own Python process.
 *
 * <p>Its virtual environment lives in {@code examples/app-django/target/venv} and is created on the
 * first start ({@code python3 -m venv}, then {@code pip install} of {@code clients/python[django]}
 * at the versions pinned in {@code clients/python/constraints.txt}); later starts reuse it. A
 * marker file records a finished install, so an interrupted one is redone.
 */
final class DjangoApp implements AutoCloseable {

  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration STOP_PATIENCE = Duration.ofSeconds(10);
  private static final String INSTALLED_MARKER = ".session-broker-installed";

  private final Process process;
  private final Path logFile;

  private DjangoApp(Process process, Path logFile) {
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * Creates the virtual environment when needed and starts the app; does not wait for it.
   *
   * @param env the app's configuration ({@code APP_PORT}, {@code OIDC_*}, {@code SESSION_BROKER_*})
   * @throws LocalStackException when Python is missing or the install or start fails
   */
  static DjangoApp start(Path repository, Path workDir, Path logFile, Map<String, String> env) {
    Path appDir = repository.resolve("examples/app-django");
    Path venv = appDir.resolve("target/venv");
    Path python = venv.resolve("bin/python");
    if (!Files.isRegularFile(venv.resolve(INSTALLED_MARKER))) {
      install(repository, venv, logFile);
    }
    List<String> command = List.of(python.toString(), appDir.resolve("serve.py").toString());
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(appDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      builder.environment().putAll(env);
      builder.environment().put("APP_DATA_DIR", workDir.resolve("app3").toString());
      builder.environment().put("PYTHONUNBUFFERED", "1");
      // Python's urllib and requests honour http_proxy; Keycloak and the broker of this stack
      // listen on loopback, which a proxy set for the machine does not reach.
      for (String variable : List.of("no_proxy", "NO_PROXY")) {
        builder
            .environment()
            .merge(
                variable, "127.0.0.1,localhost", (existing, loopback) -> existing + "," + loopback);
      }
      Process process = builder.start();
      process.getOutputStream().close();
      return new DjangoApp(process, logFile);
    } catch (IOException e) {
      throw new LocalStackException("Could not start app3 (Django): " + e.getMessage(), e);
    }
  }

  private static void install(Path repository, Path venv, Path logFile) {
    run(List.of("python3", "-m", "venv", venv.toString()), repository, logFile, "python3 -m venv");
    run(
        List.of(
            venv.resolve("bin/python").toString(),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            "clients/python/constraints.txt",
            "./clients/python[django]"),
        repository,
        logFile,
        "pip install ./clients/python[django]");
    try {
      Files.writeString(venv.resolve(INSTALLED_MARKER), Instant.now().toString());
    } catch (IOException e) {
      throw new LocalStackException("Cannot write " + venv.resolve(INSTALLED_MARKER), e);
    }
  }

  private static void run(List<String> command, Path directory, Path logFile, String what) {
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      process.getOutputStream().close();
      if (!process.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        ProcessTree.stop(process.toHandle(), STOP_PATIENCE);
        throw new LocalStackException(what + " did not finish in 10 minutes; see " + logFile);
      }
      if (process.exitValue() != 0) {
        throw new LocalStackException(
            what
                + " failed (code "
                + process.exitValue()
                + "); see "
                + logFile
                + ". The Django app needs python3 with venv (Debian: apt-get install"
                + " python3-venv) and PyPI.");
      }
    } catch (IOException e) {
      throw new LocalStackException(
          what + " could not run (" + e.getMessage() + "): install python3 and python3-venv", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("Interrupted during " + what, e);
    }
  }

  /**
   * Waits until {@code health} answers {@code 2xx}.
   *
   * @throws LocalStackException when the app exits first or the timeout passes
   */
  void awaitReady(URI health, Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new LocalStackException(
            "app3 (Django) exited with code " + process.exitValue() + "; see " + logFile);
      }
      try {
        HttpRequest request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build();
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status >= 200 && status < 300) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LocalStackException("Interrupted while waiting for app3", e);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LocalStackException("Interrupted while waiting for app3", e);
      }
    }
    throw new LocalStackException(
        "app3 (Django) was not ready at "
            + health
            + " after "
            + timeout.toSeconds()
            + " s; see "
            + logFile);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitValue() {
    return process.exitValue();
  }

  Path logFile() {
    return logFile;
  }

  /** Its whole log so far. */
  String logText() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops the app and its descendants; idempotent. */
  @Override
  public void close() {
    ProcessTree.stop(process.toHandle(), STOP_PATIENCE);
  }
}
