package io.sessionbroker.broker.reconcile;

import java.util.Set;

/**
 * Which SSO sessions of a realm exist: Keycloak's admin REST API in production ({@link
 * KeycloakAdminClient}). Every method either gives a definite answer or throws {@link
 * KeycloakAdminException}; none guesses.
 */
public interface SessionDirectory {

  /**
   * Checks that the realm's admin API answers and accepts the job's credentials, so that a later
   * "user not found" means the user and not a wrong URL or a missing realm.
   *
   * @throws KeycloakAdminException when it does not
   */
  void checkAccess();

  /**
   * The user's online SSO sessions, or {@link UserSessions#userGone()} when Keycloak confirms that
   * the user does not exist.
   *
   * @throws KeycloakAdminException on any other answer
   */
  UserSessions sessionsOf(String sub);

  /**
   * Ids of the user's offline sessions, whatever their client. Keycloak gives an offline session
   * the id of the online session it came from, so a {@code sid} that only lives on offline still
   * exists.
   *
   * @throws KeycloakAdminException when the answer is not definite
   */
  Set<String> offlineSessionIds(String sub);
}
