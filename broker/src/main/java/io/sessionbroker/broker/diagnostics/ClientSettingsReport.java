package io.sessionbroker.broker.diagnostics;

import java.util.List;

/**
 * The logout settings of one Keycloak client, judged against what the broker needs.
 *
 * @param clientId the client
 * @param ok whether nothing is wrong
 * @param problems what is wrong and how to fix it
 */
public record ClientSettingsReport(String clientId, boolean ok, List<String> problems) {}
