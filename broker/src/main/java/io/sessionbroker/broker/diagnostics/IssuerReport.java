package io.sessionbroker.broker.diagnostics;

import java.util.List;

/**
 * What the broker found when it checked one issuer.
 *
 * @param alias the issuer alias
 * @param url the configured issuer URL
 * @param ok whether every step passed
 * @param steps the steps, in order; a failed step ends the check
 */
public record IssuerReport(String alias, String url, boolean ok, List<CheckStep> steps) {}
