package io.sessionbroker.broker.session;

/**
 * The SSO session (or user, or client) of a registration was already logged out: the app must drop
 * its session. Answered 409 {@code session_revoked}.
 */
public class SessionRevokedException extends RuntimeException {

  public SessionRevokedException(String message) {
    super(message);
  }
}
