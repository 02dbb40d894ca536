package io.sessionbroker.broker.it;

import io.sessionbroker.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged broker ({@code target/quarkus-app/quarkus-run.jar}) as its own JVM, as it runs in
 * production, on a free loopback port. Used by the {@code *IT} tests, which Failsafe runs after
 * {@code package}.
 */
final class BrokerProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final int port = FreePorts.next();
  private final Process process;
  private final Path log;

  BrokerProcess(String name, Map<String, String> config) {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run ./mvnw verify");
    }
    try {
      log = Files.createTempFile("broker-" + name + "-", ".log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx256m");
      command.add("-Dquarkus.http.port=" + port);
      command.add("-Dquarkus.log.level=WARN");
      command.add("-Dsession-broker.outbox.directory=target/outbox-it-" + name + "-" + port);
      config.forEach((key, value) -> command.add("-D" + key + "=" + value));
      command.add("-jar");
      command.add(jar.toString());
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the broker " + name, e);
    }
    awaitReady();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("The broker exited at start; log: " + logText());
      }
      try {
        HttpResponse<Void> response =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Still starting.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(200);
    }
    close();
    throw new IllegalStateException("The broker did not become ready; log: " + logText());
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log)";
    }
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
