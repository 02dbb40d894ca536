package io.sessionbroker.broker.it;

import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.JavaProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The packaged broker ({@code target/quarkus-app/quarkus-run.jar}) as its own JVM, as it runs in
 * production, on free loopback ports (API and management interface). Used by the {@code *IT} tests,
 * which Failsafe runs after {@code package}.
 */
final class BrokerProcess implements AutoCloseable {

  private final int port = FreePorts.next();
  private final int managementPort = FreePorts.next();
  private final JavaProcess process;

  BrokerProcess(String name, Map<String, String> config) {
    process =
        JavaProcess.builder("broker-" + name, Path.of("target", "quarkus-app", "quarkus-run.jar"))
            .systemProperty("quarkus.http.port", Integer.toString(port))
            .systemProperty("quarkus.management.host", "127.0.0.1")
            .systemProperty("quarkus.management.port", Integer.toString(managementPort))
            .systemProperty("quarkus.log.level", "WARN")
            .systemProperty(
                "session-broker.outbox.directory", "target/outbox-it-" + name + "-" + port)
            .systemProperties(config)
            .start();
    try {
      process.awaitReady(URI.create(managementUrl() + "/q/health/ready"), Duration.ofSeconds(90));
      // Readiness is served by the management interface, which may bind before the API port does.
      awaitListening(port, Duration.ofSeconds(30));
    } catch (IllegalStateException e) {
      process.close();
      throw e;
    }
  }

  private void awaitListening(int apiPort, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", apiPort), 1_000);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline || !process.isAlive()) {
          throw new IllegalStateException(
              "nothing listens on 127.0.0.1:" + apiPort + "; last lines:\n" + process.logTail());
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for the API port", e);
        }
      }
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The management interface: health, metrics and OpenAPI under {@code /q/}. */
  String managementUrl() {
    return "http://127.0.0.1:" + managementPort;
  }

  long pid() {
    return process.pid();
  }

  /** Sends SIGTERM, as Kubernetes does when it deletes a pod. */
  void terminate() {
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
  }

  /** Whether the process exited within {@code timeout}. */
  boolean awaitExit(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (process.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return !process.isAlive();
  }

  /** Its console log so far. */
  String log() {
    return process.logText();
  }

  @Override
  public void close() {
    process.close();
  }
}
