package io.sessionbroker.broker.session;

/**
 * A paging cursor the broker did not issue, or issued for another query or caller (SPEC §3.2:
 * answered 400 at once, before any Redis read of the page).
 */
public class InvalidCursorException extends IllegalArgumentException {

  /** The message never echoes the cursor. */
  public InvalidCursorException(String message) {
    super(message);
  }
}
