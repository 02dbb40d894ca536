package io.sessionbroker.broker.reconcile;

import java.util.List;
import java.util.Optional;

/**
 * What one reconciliation run did, per issuer with admin credentials.
 *
 * @param issuers one outcome per issuer, by alias
 */
public record ReconciliationReport(List<IssuerOutcome> issuers) {

  /** Copies {@code issuers}. */
  public ReconciliationReport {
    issuers = List.copyOf(issuers);
  }

  /** The outcome of one issuer, when it has admin credentials. */
  public Optional<IssuerOutcome> issuer(String alias) {
    return issuers.stream().filter(outcome -> outcome.alias().equals(alias)).findFirst();
  }

  /** SSO sessions revoked, over all issuers. */
  public int revoked() {
    return issuers.stream().mapToInt(IssuerOutcome::revoked).sum();
  }

  /** Errors, over all issuers. */
  public int errors() {
    return issuers.stream().mapToInt(IssuerOutcome::errors).sum();
  }
}
