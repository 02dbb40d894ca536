package io.sessionbroker.client;

/**
 * The broker refused to register a session because its SSO session was already logged out ({@code
 * 409 session_revoked}). The application must drop the local session: a registration that raced a
 * logout must never leave a live session behind.
 */
public class SessionRevokedException extends BrokerResponseException {

  private static final long serialVersionUID = 1L;

  /** The problem code the broker uses for this case. */
  public static final String PROBLEM_CODE = "session_revoked";

  private final String sessionId;

  /** A refusal for the given local session id. */
  public SessionRevokedException(String sessionId) {
    super("Session was already revoked by the broker; drop it: " + sessionId, 409, PROBLEM_CODE);
    this.sessionId = sessionId;
  }

  /** The local session id the application tried to register. */
  public String sessionId() {
    return sessionId;
  }
}
