package io.sessionbroker.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} process on a free loopback port, with no persistence, for tests.
 *
 * <p>Each instance owns its own port and working directory, so tests may run several in parallel.
 * {@link #close()} stops the process; a JVM shutdown hook stops it too if a test forgot, so no
 * process is left behind.
 */
public final class RedisServer implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final int port;
  private final Path workDir;
  private final List<String> extraArgs;
  private Process process;
  private final Thread shutdownHook;

  private RedisServer(int port, Path workDir, List<String> extraArgs) {
    this.port = port;
    this.workDir = workDir;
    this.extraArgs = List.copyOf(extraArgs);
    this.shutdownHook = new Thread(this::stopProcess, "redis-server-" + port + "-shutdown");
  }

  /** Redis Cluster's bus port is the client port plus this. */
  private static final int CLUSTER_BUS_OFFSET = 10_000;

  /** Starts a standalone server on a free port. */
  public static RedisServer start() {
    return start(List.of());
  }

  /**
   * Starts a server on a free port with extra {@code redis-server} arguments (for example {@code
   * --cluster-enabled yes}). A cluster node gets a port whose bus port ({@code port + 10000}) is
   * free too.
   */
  public static RedisServer start(List<String> extraArgs) {
    boolean clusterNode = extraArgs.contains("--cluster-enabled");
    int port = clusterNode ? FreePorts.nextWithCompanion(CLUSTER_BUS_OFFSET) : FreePorts.next();
    return startOnPort(port, extraArgs);
  }

  /** Starts a server on the given port (used to restart a server where clients expect it). */
  public static RedisServer startOnPort(int port, List<String> extraArgs) {
    try {
      Path dir = Files.createTempDirectory("redis-test-" + port + "-");
      RedisServer server = new RedisServer(port, dir, extraArgs);
      server.launch();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create a working directory for redis-server", e);
    }
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(redisServerBinary());
    command.addAll(
        List.of(
            "--port", Integer.toString(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--protected-mode", "no",
            "--dir", workDir.toString(),
            "--logfile", workDir.resolve("redis.log").toString()));
    command.addAll(extraArgs);
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().close();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    awaitPong();
  }

  private static String redisServerBinary() {
    String fromEnv = System.getenv("REDIS_SERVER");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "redis-server not found: install the Debian package 'redis-server' "
            + "(apt-get install -y redis-server) or set REDIS_SERVER to its path");
  }

  private void awaitPong() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server on port " + port + " exited at start; log: " + readLog());
      }
      if ("+PONG".equals(command("PING"))) {
        return;
      }
      sleep(20);
    }
    stopProcess();
    throw new IllegalStateException("redis-server on port " + port + " did not answer PING");
  }

  /**
   * Sends one inline command and returns the first reply line, or {@code null} when the server
   * cannot be reached. Enough for PING, FLUSHALL, CONFIG SET and similar test chores.
   */
  public String command(String inlineCommand) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write((inlineCommand + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    } catch (IOException e) {
      return null;
    }
  }

  /** The port the server listens on. */
  public int port() {
    return port;
  }

  /** A Redis URI for clients, e.g. {@code redis://127.0.0.1:6380}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Whether the process is running. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the process (as a crash would: no save) and keeps the port for a later restart. */
  public void stop() {
    stopProcess();
  }

  /** Starts a new process on the same port after {@link #stop()}. */
  public void restart() {
    if (isRunning()) {
      throw new IllegalStateException("redis-server on port " + port + " is still running");
    }
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not restart redis-server on port " + port, e);
    }
  }

  private synchronized void stopProcess() {
    if (process == null) {
      return;
    }
    ProcessTree.stop(process.toHandle(), Duration.ofSeconds(5));
    process = null;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // Called from the hook itself while the JVM exits: nothing left to unregister.
    }
  }

  @Override
  public void close() {
    stopProcess();
    deleteWorkDir();
  }

  private void deleteWorkDir() {
    try (Stream<Path> paths = Files.walk(workDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A leftover temp folder is harmless; the process is what must not leak.
    }
  }

  private String readLog() {
    try {
      return Files.readString(workDir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for redis-server", e);
    }
  }
}
