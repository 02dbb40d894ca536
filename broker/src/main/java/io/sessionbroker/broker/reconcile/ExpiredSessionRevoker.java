package io.sessionbroker.broker.reconcile;

/** Revokes an SSO session that Keycloak no longer has (reason {@code expired}). */
@FunctionalInterface
public interface ExpiredSessionRevoker {

  /**
   * Revokes every registration under {@code sid} and publishes the events.
   *
   * @param alias the issuer alias
   * @param sid the SSO session
   * @param sub its user
   */
  void revoke(String alias, String sid, String sub);
}
