package io.sessionbroker.broker.reconcile;

import java.util.Set;

/**
 * What Keycloak says about one user's online SSO sessions.
 *
 * @param userExists false when Keycloak confirmed that the user no longer exists (then every
 *     session of the user is gone, offline ones included)
 * @param sessionIds ids of the user's online sessions; each equals the {@code sid} of the tokens
 *     issued in it
 */
public record UserSessions(boolean userExists, Set<String> sessionIds) {

  /** Copies {@code sessionIds}. */
  public UserSessions {
    sessionIds = Set.copyOf(sessionIds);
  }

  /** An existing user with these online sessions. */
  public static UserSessions of(Set<String> sessionIds) {
    return new UserSessions(true, sessionIds);
  }

  /** A user that Keycloak confirmed does not exist. */
  public static UserSessions userGone() {
    return new UserSessions(false, Set.of());
  }
}
