package io.sessionbroker.client;

/**
 * Root of every exception this library throws. Unchecked. Messages never contain bearer tokens or
 * ID tokens.
 */
public class SessionBrokerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** An exception with a message. */
  public SessionBrokerException(String message) {
    super(message);
  }

  /** An exception with a message and a cause. */
  public SessionBrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
