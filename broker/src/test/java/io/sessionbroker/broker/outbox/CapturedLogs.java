package io.sessionbroker.broker.outbox;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every record the broker ({@code io.sessionbroker} loggers) logs at any level between {@link
 * #attach()} and {@link #detach()}, kept in order; call them from {@code @BeforeEach} and
 * {@code @AfterEach}.
 */
final class CapturedLogs extends Handler {

  private static final String BROKER_LOGGERS = "io.sessionbroker";

  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  /** Starts capturing. */
  void attach() {
    setLevel(Level.ALL);
    Logger.getLogger(BROKER_LOGGERS).addHandler(this);
  }

  /** Stops capturing; the records so far stay. */
  void detach() {
    Logger.getLogger(BROKER_LOGGERS).removeHandler(this);
  }

  /** The captured records, a live view safe to read while the broker logs. */
  List<LogRecord> records() {
    return records;
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
