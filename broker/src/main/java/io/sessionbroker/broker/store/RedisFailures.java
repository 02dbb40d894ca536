package io.sessionbroker.broker.store;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Tells a Redis outage (answer 503, retry) from a bug (answer 500). */
public final class RedisFailures {

  private RedisFailures() {}

  /** Whether the failure, or a cause, is Redis being unreachable or timing out. */
  public static boolean isUnavailable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException || cause instanceof TimeoutException) {
        return true;
      }
      String name = cause.getClass().getName();
      String message = String.valueOf(cause.getMessage());
      if (name.startsWith("io.vertx.redis")
          || name.contains("ConnectException")
          || message.contains("Connection refused")
          || message.contains("Connection is closed")) {
        return true;
      }
    }
    return false;
  }
}
