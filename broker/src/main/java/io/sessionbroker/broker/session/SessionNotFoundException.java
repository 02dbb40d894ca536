package io.sessionbroker.broker.session;

/** No registration with that session id exists for the caller's client. Answered 404. */
public class SessionNotFoundException extends RuntimeException {

  public SessionNotFoundException(String message) {
    super(message);
  }
}
