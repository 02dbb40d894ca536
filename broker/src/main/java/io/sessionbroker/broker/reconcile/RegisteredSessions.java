package io.sessionbroker.broker.reconcile;

import java.util.function.Predicate;

/** The registry as the reconciliation job reads it: users and their SSO sessions. */
public interface RegisteredSessions {

  /**
   * Calls {@code action} once per user of the issuer who has at least one active registration, with
   * every such {@code sid} of that user, until {@code action} returns {@code false}. Memory stays
   * bounded by the size of one index bucket, whatever the size of the registry.
   *
   * @param alias the issuer alias
   */
  void forEachUser(String alias, Predicate<RegisteredUser> action);
}
