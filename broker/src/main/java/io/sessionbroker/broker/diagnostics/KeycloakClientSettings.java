package io.sessionbroker.broker.diagnostics;

import com.fasterxml.jackson.databind.JsonNode;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.reconcile.KeycloakAdminClient;
import io.sessionbroker.broker.reconcile.KeycloakAdminException;
import io.sessionbroker.broker.token.Issuer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads each client's logout settings through Keycloak's admin API (with the issuer's admin client)
 * and says which ones keep logouts from reaching the broker.
 */
@ApplicationScoped
public class KeycloakClientSettings {

  /** Keycloak's own clients, which never sign users into apps. */
  private static final Set<String> BUILT_IN =
      Set.of(
          "account",
          "account-console",
          "admin-cli",
          "broker",
          "realm-management",
          "security-admin-console");

  private final SessionBrokerConfig config;
  private final Map<String, Optional<KeycloakAdminClient>> admins = new LinkedHashMap<>();

  KeycloakClientSettings(SessionBrokerConfig config) {
    this.config = config;
  }

  /**
   * Judges the app clients of an issuer: those of its allow-list, or else every client wired to a
   * broker (back-channel logout URL or Admin URL set).
   *
   * @return empty when the issuer has no admin credentials
   */
  public Optional<List<ClientSettingsReport>> check(Issuer issuer) {
    Optional<KeycloakAdminClient> admin =
        admins.computeIfAbsent(
            issuer.alias(),
            alias ->
                KeycloakAdminClient.forIssuer(
                    alias,
                    config.issuers().get(alias),
                    config.jwks().timeout(),
                    config.reconciliation().maxRequestsPerSecond()));
    if (admin.isEmpty()) {
      return Optional.empty();
    }
    JsonNode clients;
    try {
      clients = admin.get().clients();
    } catch (KeycloakAdminException e) {
      return Optional.of(
          List.of(
              new ClientSettingsReport(
                  "*", false, List.of("cannot list clients: " + e.getMessage()))));
    }
    List<ClientSettingsReport> reports = new ArrayList<>();
    for (JsonNode client : clients) {
      String clientId = client.path("clientId").asText();
      if (isApp(issuer, client, clientId)) {
        reports.add(judge(issuer, client, clientId));
      }
    }
    return Optional.of(reports);
  }

  private static boolean isApp(Issuer issuer, JsonNode client, String clientId) {
    if (!issuer.clientAllowList().isEmpty()) {
      return issuer.clientAllowList().contains(clientId);
    }
    return !BUILT_IN.contains(clientId)
        && (!client.path("attributes").path("backchannel.logout.url").asText("").isEmpty()
            || !client.path("adminUrl").asText("").isEmpty());
  }

  static ClientSettingsReport judge(Issuer issuer, JsonNode client, String clientId) {
    List<String> problems = new ArrayList<>();
    JsonNode attributes = client.path("attributes");
    String backchannelUrl = attributes.path("backchannel.logout.url").asText("");
    if (backchannelUrl.isEmpty()) {
      problems.add(
          "Backchannel logout URL is empty: set it to https://<broker>/backchannel-logout");
    } else if (!backchannelUrl.replaceAll("/$", "").endsWith("/backchannel-logout")) {
      problems.add(
          "Backchannel logout URL "
              + backchannelUrl
              + " does not end with /backchannel-logout: it does not point at the broker");
    }
    if (client.path("frontchannelLogout").asBoolean(false)) {
      problems.add(
          "Front channel logout is ON: Keycloak then uses it instead of back-channel logout and"
              + " never tells the broker; turn it OFF");
    }
    if (!"true".equals(attributes.path("backchannel.logout.session.required").asText(""))) {
      problems.add(
          "Backchannel logout session required is OFF: logout tokens then carry no sid and the"
              + " broker can only revoke by user; turn it ON");
    }
    String adminUrl = client.path("adminUrl").asText("");
    if (!adminUrl.replaceAll("/$", "").endsWith("/keycloak/" + issuer.alias())) {
      problems.add(
          "Admin URL is '"
              + adminUrl
              + "': set it to https://<broker>/keycloak/"
              + issuer.alias()
              + " so the realm's 'logout all' and 'push not-before' reach the broker");
    }
    return new ClientSettingsReport(clientId, problems.isEmpty(), List.copyOf(problems));
  }
}
