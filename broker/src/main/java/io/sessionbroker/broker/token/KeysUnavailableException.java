package io.sessionbroker.broker.token;

/**
 * The issuer's signing keys could not be fetched, so a token could not be judged either way.
 * Answered 503: the token may be valid.
 */
public class KeysUnavailableException extends RuntimeException {

  public KeysUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
