package io.sessionbroker.broker.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One reconciliation pass over one issuer: for each registered user, one question to Keycloak, and
 * a revocation for each of the user's registered {@code sid}s that Keycloak has neither online nor
 * offline.
 *
 * <p>Failures never revoke. A failed request skips that user; {@value #MAX_CONSECUTIVE_FAILURES}
 * failures in a row, or one that every further request would repeat, end the pass, so a Keycloak
 * that is down costs a few timeouts and not one per registered user.
 */
final class IssuerReconciliation {

  /** Failed requests in a row after which the pass gives up on the issuer until the next run. */
  static final int MAX_CONSECUTIVE_FAILURES = 3;

  private static final Logger LOG = Logger.getLogger(IssuerReconciliation.class);

  private final String alias;
  private final RegisteredSessions registry;
  private final SessionDirectory keycloak;
  private final ExpiredSessionRevoker revoker;
  private int usersChecked;
  private int revoked;
  private int errors;
  private int consecutiveFailures;
  private boolean stopped;

  IssuerReconciliation(
      String alias,
      RegisteredSessions registry,
      SessionDirectory keycloak,
      ExpiredSessionRevoker revoker) {
    this.alias = alias;
    this.registry = registry;
    this.keycloak = keycloak;
    this.revoker = revoker;
  }

  /** Runs the pass; never throws. */
  IssuerOutcome run() {
    try {
      keycloak.checkAccess();
    } catch (KeycloakAdminException e) {
      LOG.warnf(
          "Reconciliation of issuer '%s' skipped: Keycloak's admin API is not usable: %s",
          alias, e.getMessage());
      return new IssuerOutcome(alias, 0, 0, 1, false);
    }
    try {
      registry.forEachUser(alias, this::reconcile);
    } catch (RuntimeException e) {
      stopped = true;
      if (isInterruption(e)) {
        // The broker is shutting down; the next start runs again.
        LOG.debugf("Reconciliation of issuer '%s' interrupted", alias);
      } else {
        // Redis unreachable while listing or revoking: what was not revoked waits for the next run.
        errors++;
        LOG.warnf(e, "Reconciliation of issuer '%s' stopped: the registry failed", alias);
      }
    }
    return new IssuerOutcome(alias, usersChecked, revoked, errors, !stopped);
  }

  /** Checks one user; returns whether the pass goes on. */
  private boolean reconcile(RegisteredUser user) {
    if (Thread.currentThread().isInterrupted()) {
      stopped = true;
      return false;
    }
    List<String> gone;
    try {
      gone = sessionsGone(user);
    } catch (KeycloakAdminException e) {
      errors++;
      consecutiveFailures++;
      LOG.debugf("Reconciliation of issuer '%s' skipped a user: %s", alias, e.getMessage());
      if (e.isIssuerWide() || consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
        stop(e.getMessage());
      }
      return !stopped;
    }
    consecutiveFailures = 0;
    usersChecked++;
    for (String sid : gone) {
      revoker.revoke(alias, sid, user.sub());
      revoked++;
      LOG.debugf("Reconciliation of issuer '%s' revoked SSO session %s", alias, sid);
    }
    return true;
  }

  /** The user's registered sids that Keycloak no longer has; throws when it cannot tell. */
  private List<String> sessionsGone(RegisteredUser user) {
    UserSessions sessions = keycloak.sessionsOf(user.sub());
    if (!sessions.userExists()) {
      return user.sids();
    }
    List<String> missing = new ArrayList<>(user.sids());
    missing.removeAll(sessions.sessionIds());
    if (missing.isEmpty()) {
      return missing;
    }
    Set<String> offline = keycloak.offlineSessionIds(user.sub());
    missing.removeAll(offline);
    return missing;
  }

  private static boolean isInterruption(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof InterruptedException) {
        return true;
      }
    }
    return Thread.currentThread().isInterrupted();
  }

  private void stop(String reason) {
    if (!stopped) {
      stopped = true;
      LOG.warnf(
          "Reconciliation of issuer '%s' stopped early, nothing more revoked this run: %s",
          alias, reason);
    }
  }
}
