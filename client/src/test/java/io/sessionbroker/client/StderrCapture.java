package io.sessionbroker.client;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what slf4j-simple (which looks up System.err per call) logs meanwhile. */
final class StderrCapture implements AutoCloseable {

  private final PrintStream original = System.err;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

  StderrCapture() {
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
  }

  String text() {
    return buffer.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
