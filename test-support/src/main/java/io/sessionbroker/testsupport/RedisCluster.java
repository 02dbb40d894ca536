package io.sessionbroker.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster of {@code masters} {@code redis-server} processes on free loopback ports,
 * slots spread by {@code redis-cli --cluster create}, no replicas and no persistence.
 */
public final class RedisCluster implements AutoCloseable {

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = nodes;
  }

  /** Starts the nodes and joins them into one cluster; returns when every slot is served. */
  public static RedisCluster start(int masters) {
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < masters; i++) {
        nodes.add(
            RedisServer.start(
                List.of("--cluster-enabled", "yes", "--cluster-node-timeout", "2000")));
      }
      RedisCluster cluster = new RedisCluster(nodes);
      cluster.create();
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  private void create() {
    List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
    command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      // --cluster-yes answers its prompt; an empty stdin makes sure nothing else waits for one.
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("redis-cli is needed (Debian package redis-tools)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (nodes.stream().allMatch(node -> "cluster_state:ok".equals(clusterState(node)))) {
        return;
      }
      sleep();
    }
    throw new IllegalStateException("Redis Cluster did not reach cluster_state:ok");
  }

  private static String clusterState(RedisServer node) {
    // CLUSTER INFO is a bulk reply; its first line after the length header is cluster_state.
    try (var socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), node.port())) {
      socket.setSoTimeout(2000);
      socket.getOutputStream().write("CLUSTER INFO\r\n".getBytes());
      var reader =
          new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream()));
      reader.readLine();
      return reader.readLine();
    } catch (IOException e) {
      return null;
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The nodes. */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /** Comma-separated seed URIs, e.g. for {@code quarkus.redis.hosts}. */
  public String uris() {
    return nodes.stream().map(RedisServer::uri).collect(Collectors.joining(","));
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }
}
