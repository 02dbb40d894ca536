package io.sessionbroker.client;

/**
 * The broker refused to register one more session of an SSO session ({@code sid}) that already
 * holds the most registrations one sid may have ({@code 409 too_many_sessions_for_sid}; the
 * broker's {@code session-broker.registration.max-per-sid}, 100 by default). Nothing was stored. A
 * registration of a session the sid already holds is still accepted, so the usual cause is an app
 * that registers a new local session id on every request instead of once per sign-in; unregister
 * ended sessions of the sid, or sign the user in anew (a new {@code sid}).
 */
public class TooManySessionsForSidException extends BrokerResponseException {

  private static final long serialVersionUID = 1L;

  /** The problem code the broker uses for this case. */
  public static final String PROBLEM_CODE = "too_many_sessions_for_sid";

  /**
   * A refusal.
   *
   * @param message what failed, without any token
   */
  public TooManySessionsForSidException(String message) {
    super(message, 409, PROBLEM_CODE);
  }
}
