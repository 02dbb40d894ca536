package io.sessionbroker.broker.outbox;

/**
 * Neither Redis nor the local journal could take a revocation: the logout must be refused (503) so
 * the sender knows it was not recorded.
 */
public class OutboxUnavailableException extends RuntimeException {

  public OutboxUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
