package io.sessionbroker.client;

import io.sessionbroker.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Sentinel ({@code redis-server <conf> --sentinel}) monitoring one master as {@code
 * mymaster}. Sentinel insists on a writable config file, which is why it is not a plain {@code
 * RedisServer}.
 */
final class SentinelProcess implements AutoCloseable {

  static final String MASTER_NAME = "mymaster";

  private final int port = FreePorts.next();
  private final Path dir;
  private final Process process;

  SentinelProcess(int masterPort) {
    try {
      dir = Files.createTempDirectory("sentinel-test-");
      Path config = dir.resolve("sentinel.conf");
      Files.writeString(
          config,
          String.join(
              "\n",
              "port " + port,
              "bind 127.0.0.1",
              "protected-mode no",
              "dir " + dir,
              "logfile " + dir.resolve("sentinel.log"),
              "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 1",
              "sentinel down-after-milliseconds " + MASTER_NAME + " 2000",
              ""));
      process =
          new ProcessBuilder(redisServerBinary(), config.toString(), "--sentinel")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("stdout.log").toFile())
              .start();
      awaitListening();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start redis sentinel", e);
    }
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis sentinel exited at start");
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    close();
    throw new IllegalStateException("redis sentinel did not start on port " + port);
  }

  private static String redisServerBinary() {
    String fromEnv = System.getenv("REDIS_SERVER");
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv : "redis-server";
  }

  /** A Lettuce Sentinel URI for the monitored master. */
  String uri() {
    return "redis-sentinel://127.0.0.1:" + port + "#" + MASTER_NAME;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A leftover temp folder is harmless.
    }
  }
}
