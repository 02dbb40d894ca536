package io.sessionbroker.broker.outbox;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test that sees what the broker logs: every record of the {@code io.sessionbroker} loggers, at
 * any level, logged while each test runs, in order in {@link #logged}.
 */
abstract class BrokerLogCapturingTest {

  /** The records so far; safe to read while the broker logs. */
  final List<LogRecord> logged = new CopyOnWriteArrayList<>();

  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          logged.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLogs() {
    capture.setLevel(Level.ALL);
    java.util.logging.Logger.getLogger("io.sessionbroker").addHandler(capture);
  }

  @AfterEach
  void releaseLogs() {
    java.util.logging.Logger.getLogger("io.sessionbroker").removeHandler(capture);
  }
}
