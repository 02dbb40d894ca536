package io.sessionbroker.broker.store;

import java.io.IOException;
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
   * Error codes Redis answers while it cannot serve writes for now (failover, loading, memory
   * full...). Anything else is permanent: the outbox moves such an entry to its dead letters.
   */
  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "READONLY",
          "LOADING",
          "MASTERDOWN",
          "NOREPLICAS",
          "CLUSTERDOWN",
          "TRYAGAIN",
          "BUSY",
          "OOM");

  /**
   * What the Vert.x Redis client itself reports when a connection closes with commands waiting for
   * their replies (Redis restarted, {@code CLIENT KILL}, a proxy or Redis' {@code timeout} dropping
   * the connection): the command may or may not have run, and the next one gets a new connection.
   */
  private static final Set<String> CLIENT_CONNECTION_LOST = Set.of("CONNECTION_CLOSED");

  /** Vert.x's prefix of an error inside a batch (pipeline): {@code ERR [index] <Redis error>}. */
  private static final Pattern BATCH_PREFIX = Pattern.compile("^ERR \\[\\d+\\] ");

  private RedisFailures() {}

  /** Whether the failure, or a cause, is Redis being unreachable, busy or failing over. */
  public static boolean isUnavailable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException || cause instanceof TimeoutException) {
        return true;
      }
      String name = cause.getClass().getName();
      String message = String.valueOf(cause.getMessage());
      if (name.endsWith("TimeoutException")
          || name.contains("ConnectException")
          || message.contains("Connection refused")
          || message.contains("Connection is closed")
          || message.contains("Connection reset")
          || message.contains("max wait queue")
          || TRANSIENT_CODES.contains(firstWord(message))
          || CLIENT_CONNECTION_LOST.contains(firstWord(message))) {
        return true;
      }
    }
    return false;
  }

  private static String firstWord(String reply) {
    String message = BATCH_PREFIX.matcher(reply).replaceFirst("");
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }
}
