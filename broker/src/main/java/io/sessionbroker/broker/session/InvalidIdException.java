package io.sessionbroker.broker.session;

/** An id breaks {@link IdRule}; the API answers 400 and nothing is changed. */
public class InvalidIdException extends IllegalArgumentException {

  /** The message names the id and the rule, never the id's value. */
  public InvalidIdException(String message) {
    super(message);
  }
}
