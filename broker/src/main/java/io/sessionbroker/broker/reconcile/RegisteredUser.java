package io.sessionbroker.broker.reconcile;

import java.util.List;

/**
 * A user with registered SSO sessions to check against Keycloak.
 *
 * @param sub the user's id in Keycloak (the ID token's {@code sub})
 * @param sids the user's SSO sessions that have at least one active registration
 */
public record RegisteredUser(String sub, List<String> sids) {

  /** Copies {@code sids}. */
  public RegisteredUser {
    sids = List.copyOf(sids);
  }
}
