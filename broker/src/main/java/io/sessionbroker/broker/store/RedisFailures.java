package io.sessionbroker.broker.store;

import com.fasterxml.jackson.core.JacksonException;
import java.io.IOException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Tells a passing Redis outage (journal the revocation, answer 503 to API calls, retry) from a
 * permanent error such as NOPERM, WRONGTYPE or a script error (a bug or a misconfiguration:
 * retrying would block the journal forever, so it must surface).
 */
public final class RedisFailures {

  /**
   * The error codes (first word of the reply) with which Redis refuses a command because it cannot
   * take it now, while the same command succeeds unchanged once the server recovers: the only
   * failures, with connection loss, that the broker treats as an outage (journal, 503, retry). Any
   * other code (WRONGTYPE, NOPERM, NOSCRIPT, a script's own error...) is permanent: the outbox
   * moves such an entry to its dead letters. This set is the one place that draws the line.
   *
   * <ul>
   *   <li>{@code LOADING}: the server is loading its dataset (RDB/AOF) after a restart.
   *   <li>{@code BUSY}: a script or function runs beyond {@code busy-reply-threshold}.
   *   <li>{@code MASTERDOWN}: a replica lost its primary and {@code replica-serve-stale-data no}.
   *   <li>{@code READONLY}: the node became a replica (failover); writes go to the new primary.
   *   <li>{@code NOREPLICAS}: fewer good replicas than {@code min-replicas-to-write}.
   *   <li>{@code OOM}: {@code maxmemory} reached with {@code noeviction}.
   *   <li>{@code MISCONF}: the last RDB snapshot failed (disk full, permissions) and {@code
   *       stop-writes-on-bgsave-error yes} stops writes until a snapshot succeeds.
   *   <li>{@code CLUSTERDOWN}: the cluster is down or a hash slot is unserved (failover).
   *   <li>{@code TRYAGAIN}: a multi-key command during a slot migration (resharding).
   * </ul>
   */
  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "LOADING",
          "BUSY",
          "MASTERDOWN",
          "READONLY",
          "NOREPLICAS",
          "OOM",
          "MISCONF",
          "CLUSTERDOWN",
          "TRYAGAIN");

  /**
   * What the Vert.x Redis client itself reports when a connection closes with commands waiting for
   * their replies (Redis restarted, {@code CLIENT KILL}, a proxy or Redis' {@code timeout} dropping
   * the connection): the command may or may not have run, and the next one gets a new connection.
   */
  private static final Set<String> CLIENT_CONNECTION_LOST = Set.of("CONNECTION_CLOSED");

  /** Vert.x's prefix of an error inside a batch (pipeline): {@code ERR [index] <Redis error>}. */
  private static final Pattern BATCH_PREFIX = Pattern.compile("^ERR \\[\\d+\\] ");

  private RedisFailures() {}

  /**
   * Whether the failure, or a cause, is Redis being unreachable, busy or failing over: a failure of
   * the connection itself (any I/O failure but a value that does not read as JSON), a timeout, or
   * one of the {@link #TRANSIENT_CODES} replies. Any other exception is a defect.
   */
  public static boolean isUnavailable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (isTransportFailure(cause)) {
        return true;
      }
      String message = String.valueOf(cause.getMessage());
      if (TRANSIENT_CODES.contains(firstWord(message))
          || CLIENT_CONNECTION_LOST.contains(firstWord(message))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The connection to Redis failed, as the Vert.x Redis client (and Lettuce) report it. Every
   * {@link IOException} counts (the safe side: an outage taken for a defect is a logout answered
   * 500, which Keycloak never resends), except Jackson's, which is an {@code IOException} only by
   * inheritance: a stored value that does not read as JSON is a defect. Named because they are not
   * all {@code IOException}s: a socket error ({@link SocketException}: refused, reset, unreachable;
   * Vert.x's own {@code RedisConnectException} and Netty's connect exceptions are {@link
   * java.net.ConnectException}s), a write on a closed channel, the host not resolving (a Sentinel
   * or Cluster node's address during a failover), a timeout, a connection pool with no free
   * connection, Netty's native transport errors ({@code
   * io.netty.channel.unix.Errors$NativeIoException}: reset, broken pipe), the messages with which
   * Vert.x fails commands on a closed connection, and Lettuce's {@code RedisConnectionException}.
   */
  private static boolean isTransportFailure(Throwable cause) {
    if ((cause instanceof IOException && !(cause instanceof JacksonException))
        || cause instanceof SocketException
        || cause instanceof ClosedChannelException
        || cause instanceof UnknownHostException
        || cause instanceof TimeoutException) {
      return true;
    }
    String name = cause.getClass().getName();
    String message = String.valueOf(cause.getMessage());
    return name.endsWith("TimeoutException")
        || name.contains("ConnectException")
        || name.endsWith(".RedisConnectionException")
        || name.startsWith("io.netty.channel.")
        || message.contains("Connection refused")
        || message.contains("Connection is closed")
        || message.contains("Connection reset")
        || message.contains("Broken pipe")
        || message.contains("max wait queue");
  }

  private static String firstWord(String reply) {
    String message = BATCH_PREFIX.matcher(reply).replaceFirst("");
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }
}
