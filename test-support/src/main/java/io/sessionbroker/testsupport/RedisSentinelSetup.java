package io.sessionbroker.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Sentinel setup: a master, a replica and one Sentinel (quorum 1) watching them as
 * {@value #MASTER_NAME}, all on free loopback ports. {@link #failover()} asks the Sentinel to
 * promote the replica, as after a master failure.
 */
public final class RedisSentinelSetup implements AutoCloseable {

  /** The name the Sentinel knows the master by. */
  public static final String MASTER_NAME = "mymaster";

  private final RedisServer master;
  private final RedisServer replica;
  private final int sentinelPort = FreePorts.next();
  private final Path sentinelDir;
  private final Process sentinel;

  private RedisSentinelSetup() throws IOException {
    master = RedisServer.start();
    replica =
        RedisServer.start(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
    sentinelDir = Files.createTempDirectory("sentinel-");
    Path config = sentinelDir.resolve("sentinel.conf");
    // Sentinel rewrites its config file, so it cannot be given on the command line alone.
    Files.writeString(
        config,
        String.join(
            "\n",
            "port " + sentinelPort,
            "bind 127.0.0.1",
            "protected-mode no",
            "dir " + sentinelDir,
            "logfile " + sentinelDir.resolve("sentinel.log"),
            "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 1",
            "sentinel down-after-milliseconds " + MASTER_NAME + " 2000",
            "sentinel failover-timeout " + MASTER_NAME + " 10000",
            ""));
    sentinel =
        new ProcessBuilder("redis-server", config.toString(), "--sentinel")
            .redirectErrorStream(true)
            .redirectOutput(sentinelDir.resolve("stdout.log").toFile())
            .start();
    awaitSentinel();
    awaitReplicaSynced();
  }

  /** Starts master, replica and Sentinel; returns when the replica is in sync. */
  public static RedisSentinelSetup start() {
    try {
      return new RedisSentinelSetup();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the Sentinel setup", e);
    }
  }

  private void awaitSentinel() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sentinelPort)) {
        return;
      } catch (IOException notYet) {
        if (!sentinel.isAlive()) {
          throw new IllegalStateException("redis sentinel exited at start");
        }
        sleep(50);
      }
    }
    throw new IllegalStateException("redis sentinel did not start on port " + sentinelPort);
  }

  private void awaitReplicaSynced() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (masterLinkUp()) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException("the replica did not sync with the master");
  }

  private boolean masterLinkUp() {
    return replicationInfo(replica.port()).contains("master_link_status:up");
  }

  /** {@code INFO replication} of the node on {@code port}, or "" when it does not answer. */
  private static String replicationInfo(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(2000);
      socket.getOutputStream().write("INFO replication\r\n".getBytes());
      byte[] buffer = new byte[4096];
      int read = socket.getInputStream().read(buffer);
      return read > 0 ? new String(buffer, 0, read) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** The Sentinel's port (what {@code quarkus.redis.hosts} names in sentinel mode). */
  public int sentinelPort() {
    return sentinelPort;
  }

  /** A Lettuce/Quarkus Sentinel URI. */
  public String sentinelUri() {
    return "redis-sentinel://127.0.0.1:" + sentinelPort + "#" + MASTER_NAME;
  }

  /** The initial master. */
  public RedisServer master() {
    return master;
  }

  /** The initial replica. */
  public RedisServer replica() {
    return replica;
  }

  /**
   * Promotes the replica and waits until the failover is complete: the Sentinel names the replica
   * as master, and the old master has been reconfigured as its replica and is in sync.
   *
   * <p>Writing right after the switch would test Redis' asynchronous-replication window, not the
   * broker: see {@link #promoteReplica()}. (When Sentinel demotes the old master depends on its
   * INFO cycle, so a test cannot hold that window open on purpose.)
   */
  public void failover() {
    promoteReplica();
    awaitOldMasterDemoted();
  }

  /**
   * Asks the Sentinel to promote the replica ({@code SENTINEL FAILOVER}) and returns as soon as it
   * names the replica as master ({@code +switch-master}).
   *
   * <p>The old master is not demoted yet: Sentinel waits a few seconds before reconfiguring it as a
   * replica, and until then it still accepts writes from connections opened before the switch. Its
   * resync with the new master then wipes them (Redis' asynchronous-replication window).
   */
  private void promoteReplica() {
    String reply = sentinelCommand("SENTINEL FAILOVER " + MASTER_NAME);
    if (reply == null || !reply.startsWith("+OK")) {
      throw new IllegalStateException("SENTINEL FAILOVER answered " + reply);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String named = sentinelCommand("SENTINEL get-master-addr-by-name " + MASTER_NAME, 5);
      if (named != null && named.contains(Integer.toString(replica.port()))) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException("the Sentinel did not promote the replica");
  }

  /**
   * Waits until the Sentinel has reconfigured the old master as a replica of the promoted one and
   * it is in sync (it then refuses writes with {@code READONLY}).
   */
  private void awaitOldMasterDemoted() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      String info = replicationInfo(master.port());
      if (info.contains("role:slave")
          && info.contains("master_port:" + replica.port())
          && info.contains("master_link_status:up")) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException(
        "the Sentinel did not reconfigure the old master as a replica of the new one");
  }

  private String sentinelCommand(String command) {
    return sentinelCommand(command, 1);
  }

  /** Sends an inline command and returns the first {@code lines} reply lines joined. */
  private String sentinelCommand(String command, int lines) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sentinelPort)) {
      socket.setSoTimeout(2000);
      socket.getOutputStream().write((command + "\r\n").getBytes());
      var reader =
          new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream()));
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < lines; i++) {
        String line = reader.readLine();
        if (line == null) {
          break;
        }
        out.append(line).append('\n');
      }
      return out.toString();
    } catch (IOException e) {
      return null;
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
    ProcessTree.stop(sentinel.toHandle(), Duration.ofSeconds(5));
    replica.close();
    master.close();
    try (var paths = Files.walk(sentinelDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A leftover temp folder is harmless; the processes are what must not leak.
    }
  }
}
