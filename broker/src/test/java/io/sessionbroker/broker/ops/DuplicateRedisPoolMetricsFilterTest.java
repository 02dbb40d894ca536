package io.sessionbroker.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/** Unit test of the filter: only the Redis pool's duplicate-gauge warning is dropped. */
class DuplicateRedisPoolMetricsFilterTest {

  private final DuplicateRedisPoolMetricsFilter filter = new DuplicateRedisPoolMetricsFilter();

  /** Micrometer's warning as it appeared at every start of the broker. */
  @Test
  void whenMicrometerWarnsAboutTheRedisPoolGaugeThenTheRecordIsDropped() {
    ExtLogRecord warning =
        record(
            "io.micrometer.core.instrument.MeterRegistry",
            "This Gauge has been already registered (MeterId{name='redis.pool.queue.size',"
                + " tags=[tag(pool.name=<default>),tag(pool.type=redis)]}), the registration will"
                + " be ignored. Note that subsequent logs will be logged at debug level.");

    assertThat(filter.isLoggable(warning)).isFalse();
  }

  @Test
  void whenMicrometerWarnsAboutAnotherMeterThenTheRecordIsKept() {
    ExtLogRecord warning =
        record(
            "io.micrometer.core.instrument.MeterRegistry",
            "This Gauge has been already registered (MeterId{name='sessionbroker.outbox.journaled',"
                + " tags=[]}), the registration will be ignored.");

    assertThat(filter.isLoggable(warning)).isTrue();
  }

  @Test
  void whenAnotherLoggerMentionsTheRedisPoolThenTheRecordIsKept() {
    ExtLogRecord other =
        record(
            "io.sessionbroker.broker.store.RedisEventLog",
            "This Gauge has been already registered (MeterId{name='redis.pool.queue.size'})");

    assertThat(filter.isLoggable(other)).isTrue();
  }

  private static ExtLogRecord record(String logger, String message) {
    ExtLogRecord record = new ExtLogRecord(Level.WARNING, message, logger);
    record.setLoggerName(logger);
    return record;
  }
}
