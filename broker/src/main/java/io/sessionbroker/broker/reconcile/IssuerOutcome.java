package io.sessionbroker.broker.reconcile;

/**
 * What one reconciliation run did for one issuer.
 *
 * @param alias the issuer alias
 * @param usersChecked users whose sessions Keycloak listed (or confirmed gone)
 * @param revoked SSO sessions revoked
 * @param errors failed requests or steps; each left the sessions concerned untouched
 * @param completed whether every registered user was looked at; false when the run stopped early
 *     (Keycloak unreachable, credentials rejected, Redis down)
 */
public record IssuerOutcome(
    String alias, int usersChecked, int revoked, int errors, boolean completed) {}
