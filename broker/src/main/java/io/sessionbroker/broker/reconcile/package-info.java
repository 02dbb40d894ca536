/**
 * Reconciliation with Keycloak (SPEC §5): Keycloak sends nothing when an SSO session simply expires
 * or is removed without a logout, so a background job asks Keycloak's admin REST API which
 * registered {@code sid}s still exist and revokes the others with reason {@code expired}.
 *
 * <p>The rule that shapes every class here: <em>only a definite answer revokes</em>. A session is
 * revoked when Keycloak, reachable and accepting the job's credentials, lists the user's sessions
 * without it (online and offline), or says the user no longer exists. Timeouts, 5xx, 401, 403, a
 * realm that cannot be found or a body that cannot be read revoke nothing: a false revocation logs
 * a user out, a missed one only waits for the next run or the registration's TTL.
 */
package io.sessionbroker.broker.reconcile;
