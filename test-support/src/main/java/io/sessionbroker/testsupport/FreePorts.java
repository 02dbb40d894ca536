package io.sessionbroker.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks free TCP ports on the loopback interface for servers that tests start.
 *
 * <p>The ports come from below the kernel's ephemeral range ({@code
 * /proc/sys/net/ipv4/ip_local_port_range}, 32768–60999 on Linux by default). A port the kernel
 * hands out for {@code bind(0)} lies inside that range, so between the pick and the server's own
 * bind an outgoing connection (to Redis, to Keycloak, ...) could take it as its source port and the
 * server would fail with "Address already in use". Outgoing connections never use ports below the
 * range. A port is handed out once per JVM.
 */
public final class FreePorts {

  /** Above the fixed ports of the examples and the local stack (8080–8089, 18080–18089). */
  static final int LOWEST = 20_000;

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  /** Where Linux starts it by default; also the bound on systems without that file. */
  private static final int DEFAULT_EPHEMERAL_LOW = 32_768;

  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  /**
   * Returns a port in {@code [20000, start of the ephemeral range)} that nothing listened on a
   * moment ago and that this JVM has not handed out before.
   *
   * @throws IllegalStateException when no such port is free
   */
  public static int next() {
    return pick(0);
  }

  /**
   * Like {@link #next()}, for a server that also listens on {@code port + offset} (a Redis Cluster
   * node's bus port is {@code port + 10000}): both ports are free and below the ephemeral range.
   *
   * @throws IllegalStateException when no such pair is free
   */
  public static int nextWithCompanion(int offset) {
    if (offset <= 0) {
      throw new IllegalArgumentException("offset must be positive: " + offset);
    }
    return pick(offset);
  }

  private static synchronized int pick(int companionOffset) {
    int high = Math.min(ephemeralLow(), DEFAULT_EPHEMERAL_LOW) - companionOffset;
    if (high <= LOWEST) {
      throw new IllegalStateException(
          "No room below the ephemeral port range for a test server listening on a port and "
              + "port + "
              + companionOffset);
    }
    int size = high - LOWEST;
    int start = ThreadLocalRandom.current().nextInt(size);
    for (int i = 0; i < size; i++) {
      int port = LOWEST + (start + i) % size;
      int companion = port + companionOffset;
      if (!HANDED_OUT.contains(port)
          && !HANDED_OUT.contains(companion)
          && isFree(port)
          && isFree(companion)) {
        HANDED_OUT.add(port);
        HANDED_OUT.add(companion);
        return port;
      }
    }
    throw new IllegalStateException("No free loopback port in [" + LOWEST + ", " + high + ")");
  }

  /** The first port of the kernel's ephemeral range; 32768 when it cannot be read. */
  static int ephemeralLow() {
    // Read line-wise: a /proc file reports size 0, which whole-file reads may trust.
    try (BufferedReader reader = Files.newBufferedReader(EPHEMERAL_RANGE)) {
      return Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException unreadable) {
      return DEFAULT_EPHEMERAL_LOW;
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
