package io.sessionbroker.examples.localstack;

/**
 * The local stack cannot start: a port is taken, a program is missing, a part is not built or did
 * not become ready. The message says what to do; the launcher prints it without a stack trace.
 */
public final class LocalStackException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure with a message for the user. */
  public LocalStackException(String message) {
    super(message);
  }

  /** A failure with a message for the user and its cause. */
  public LocalStackException(String message, Throwable cause) {
    super(message, cause);
  }
}
