package io.sessionbroker.broker.reconcile;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Ends SSO sessions at Keycloak for admin revocations (SPEC §3.2, {@code POST
 * /api/v1/revocations}), through the issuer's admin client ({@code
 * session-broker.issuers.<alias>.admin-client-id/-secret}, realm-management {@code manage-users}).
 *
 * <p>The broker's own revocation comes first and stays authoritative whatever Keycloak answers;
 * this only keeps the next sign-in from silently reusing the revoked SSO session. Keycloak then
 * sends its own back-channel logouts, which the broker deduplicates against its revocation.
 */
@ApplicationScoped
public class KeycloakSsoSessions {

  private static final Logger LOG = Logger.getLogger(KeycloakSsoSessions.class);

  /** What happened to the Keycloak session, as the API answers it in {@code keycloakSession}. */
  public static final String ENDED = "ended";

  /** Keycloak had no such session (or user) any more. */
  public static final String ALREADY_ENDED = "already_ended";

  /** The issuer has no admin client: the Keycloak SSO session lives on. */
  public static final String NOT_CONFIGURED = "not_configured";

  /** A revocation of one app session leaves the SSO session alone. */
  public static final String UNCHANGED = "unchanged";

  /** Prefix of the answer when Keycloak could not be asked or refused; the reason follows. */
  public static final String FAILED = "failed: ";

  private final SessionBrokerConfig config;
  private final Map<String, Optional<KeycloakAdminClient>> clients = new ConcurrentHashMap<>();

  KeycloakSsoSessions(SessionBrokerConfig config) {
    this.config = config;
  }

  /**
   * Ends one SSO session at Keycloak.
   *
   * @return {@value #ENDED}, {@value #ALREADY_ENDED}, {@value #NOT_CONFIGURED}, or {@value #FAILED}
   *     followed by the reason (no token, secret or id in it)
   */
  public String endSession(String issuerAlias, String sid) {
    return call(issuerAlias, client -> client.endSession(sid));
  }

  /** Ends every SSO session of a user at Keycloak; answers as {@link #endSession}. */
  public String logoutUser(String issuerAlias, String sub) {
    return call(issuerAlias, client -> client.logoutUser(sub));
  }

  private String call(
      String issuerAlias, Function<KeycloakAdminClient, KeycloakAdminClient.Ended> action) {
    Optional<KeycloakAdminClient> client = client(issuerAlias);
    if (client.isEmpty()) {
      return NOT_CONFIGURED;
    }
    try {
      return action.apply(client.get()) == KeycloakAdminClient.Ended.ENDED ? ENDED : ALREADY_ENDED;
    } catch (KeycloakAdminException e) {
      LOG.warnf(
          "Issuer '%s': the broker revoked, but Keycloak's SSO session could not be ended: %s",
          issuerAlias, e.getMessage());
      return FAILED + e.getMessage();
    }
  }

  private Optional<KeycloakAdminClient> client(String issuerAlias) {
    return clients.computeIfAbsent(
        issuerAlias,
        alias ->
            Optional.ofNullable(config.issuers().get(alias))
                .flatMap(
                    issuer ->
                        KeycloakAdminClient.forIssuer(
                            alias,
                            issuer,
                            config.jwks().timeout(),
                            config.reconciliation().maxRequestsPerSecond())));
  }
}
