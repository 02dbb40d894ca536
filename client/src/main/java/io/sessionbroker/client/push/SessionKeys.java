package io.sessionbroker.client.push;

import java.time.Instant;
import java.util.Objects;

/**
 * What identifies one signed-in session for push: which revocations end it.
 *
 * @param sessionId the local session id (as registered with the broker, if it is); required, it
 *     also groups a session's tabs for the per-session connection limit
 * @param sid the SSO session id, or {@code null}
 * @param sub the user, or {@code null}
 * @param createdAt when the user signed in to this session; required
 */
public record SessionKeys(String sessionId, String sid, String sub, Instant createdAt) {

  /** Checks the required fields. */
  public SessionKeys {
    if (sessionId == null || sessionId.isBlank()) {
      throw new IllegalArgumentException("sessionId must not be blank");
    }
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
