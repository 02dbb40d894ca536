package io.sessionbroker.broker.ops;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Drops Micrometer's "This Gauge has been already registered" warning for the Redis pool meters
 * ({@code redis.pool.*}), which Quarkus 3.33's Redis extension causes at every start, and nothing
 * else.
 *
 * <p>The cause: both {@code RedisClientProcessor} and {@code RedisDatasourceProcessor} record
 * {@code RedisClientRecorder.initialize} for the default client, and each call creates a Vert.x
 * Redis client (whose pool registers its {@code redis.pool.*} meters) before {@code putIfAbsent}
 * keeps the first. The second client is never used and its gauges are ignored, so the metrics stay
 * those of the pool in use; the warning says nothing an operator can act on. Any other duplicate
 * meter still warns. Installed on the console handler ({@code quarkus.log.console.filter}).
 */
@LoggingFilter(name = DuplicateRedisPoolMetricsFilter.NAME)
public final class DuplicateRedisPoolMetricsFilter implements Filter {

  /** The name that {@code quarkus.log.console.filter} refers to. */
  public static final String NAME = "duplicate-redis-pool-metrics";

  private static final String MICROMETER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

  @Override
  public boolean isLoggable(LogRecord record) {
    if (!MICROMETER_REGISTRY.equals(record.getLoggerName())) {
      return true;
    }
    String message =
        record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
    return message == null
        || !(message.contains("has been already registered")
            && message.contains("name='redis.pool."));
  }
}
