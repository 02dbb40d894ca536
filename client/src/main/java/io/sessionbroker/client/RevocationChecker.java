package io.sessionbroker.client;

import java.time.Instant;

/**
 * In-memory revocation checks, cheap enough to run on every request. Implemented by {@link
 * SessionBrokerClient} from its local, bounded revoked set.
 */
public interface RevocationChecker {

  /**
   * Whether the SSO session {@code sid} is in the revoked set now. Knows no session age, so it
   * neither consults the watermark nor the clock skew: prefer {@link #isRevoked(String, String,
   * Instant)} for decisions.
   */
  boolean isRevoked(String sid);

  /**
   * Whether the broker listed this registered local session id in a revocation that is still in the
   * revoked set (no watermark: see {@link #isRevoked(String)}).
   */
  boolean isSessionRevoked(String sessionId);

  /**
   * The full check for a signed-in session (or an access token, with its {@code iat}): revoked when
   * its {@code sid}, its user {@code sub} or the whole client ("logout all", "push not-before") was
   * revoked after the session was created, allowing for {@link SessionBrokerOptions#clockSkew()}. A
   * session created before the revoked set's watermark that is not found revoked is answered by
   * {@link SessionBrokerOptions#forgottenRevocationPolicy()}.
   *
   * @param sid the session's SSO session id, or {@code null} when unknown
   * @param sub the session's user, or {@code null} when unknown
   * @param sessionCreatedAt when the local session was created (signed in); required, because user-
   *     and client-wide revocations only apply to sessions created before them
   */
  boolean isRevoked(String sid, String sub, Instant sessionCreatedAt);
}
