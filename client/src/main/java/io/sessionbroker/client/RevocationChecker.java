package io.sessionbroker.client;

import java.time.Instant;

/**
 * In-memory revocation checks, cheap enough to run on every request. Implemented by {@link
 * SessionBrokerClient} from its local, bounded revoked set.
 */
public interface RevocationChecker {

  /** Whether the SSO session {@code sid} was revoked. */
  boolean isRevoked(String sid);

  /** Whether the broker listed this registered local session id in a revocation. */
  boolean isSessionRevoked(String sessionId);

  /**
   * The full check for a signed-in session: revoked when its {@code sid} was revoked, when its user
   * {@code sub} was revoked after the session was created, or when the whole client was revoked
   * ("logout all", "push not-before") after the session was created.
   *
   * @param sid the session's SSO session id, or {@code null} when unknown
   * @param sub the session's user, or {@code null} when unknown
   * @param sessionCreatedAt when the local session was created (signed in); required, because user-
   *     and client-wide revocations only apply to sessions created before them
   */
  boolean isRevoked(String sid, String sub, Instant sessionCreatedAt);
}
