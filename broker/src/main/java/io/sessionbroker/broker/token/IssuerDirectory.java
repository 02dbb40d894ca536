package io.sessionbroker.broker.token;

import io.quarkus.runtime.StartupEvent;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The configured issuers, found by alias or by {@code iss}, each with its own key cache. */
@ApplicationScoped
public class IssuerDirectory {

  private final Map<String, Issuer> byAlias = new LinkedHashMap<>();
  private final Map<String, Issuer> byUrl = new LinkedHashMap<>();
  private final Map<String, IssuerKeys> keysByAlias = new LinkedHashMap<>();

  IssuerDirectory(SessionBrokerConfig config) {
    config
        .issuers()
        .forEach(
            (alias, settings) -> {
              Issuer issuer = Issuer.of(alias, settings.url(), settings.clients());
              if (byUrl.containsKey(issuer.url())) {
                throw new IllegalArgumentException(
                    "session-broker.issuers."
                        + alias
                        + ".url repeats the URL of issuer '"
                        + byUrl.get(issuer.url()).alias()
                        + "': each issuer needs its own alias and URL");
              }
              byAlias.put(alias, issuer);
              byUrl.put(issuer.url(), issuer);
              keysByAlias.put(
                  alias,
                  new IssuerKeys(
                      issuer,
                      settings.jwksUrl(),
                      config.jwks().cacheDuration(),
                      config.jwks().minRefreshInterval(),
                      config.jwks().timeout(),
                      config.jwks().maxWaitingTokens()));
            });
  }

  /** Starts loading keys in the background so the first logout does not wait for them. */
  void preload(@Observes StartupEvent startup) {
    Thread preload =
        new Thread(() -> keysByAlias.values().forEach(IssuerKeys::load), "issuer-keys-preload");
    preload.setDaemon(true);
    preload.start();
  }

  /**
   * The issuer whose tokens carry this {@code iss}: equal to its configured URL character for
   * character (SPEC §4), so a trailing slash or another case is another issuer.
   */
  public Optional<Issuer> byUrl(String iss) {
    return iss == null ? Optional.empty() : Optional.ofNullable(byUrl.get(iss));
  }

  /** The issuer of an alias. */
  public Optional<Issuer> byAlias(String alias) {
    return Optional.ofNullable(byAlias.get(alias));
  }

  /** All issuers. */
  public Collection<Issuer> all() {
    return byAlias.values();
  }

  /** The key cache of an issuer. */
  public IssuerKeys keys(Issuer issuer) {
    return keysByAlias.get(issuer.alias());
  }
}
