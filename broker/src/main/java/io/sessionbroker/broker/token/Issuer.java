package io.sessionbroker.broker.token;

import java.util.List;
import java.util.Optional;

/**
 * A configured issuer.
 *
 * @param alias short name used in channels and the API
 * @param url the {@code iss} of its tokens, exactly as configured: matched character for character
 *     (SPEC §4: no normalisation of a trailing slash or of case)
 * @param clientAllowList accepted client ids; empty: all
 */
public record Issuer(String alias, String url, List<String> clientAllowList) {

  /** Whether {@code clientId} may use the broker under this issuer. */
  public boolean allowsClient(String clientId) {
    return clientAllowList.isEmpty() || clientAllowList.contains(clientId);
  }

  static Issuer of(String alias, String url, Optional<List<String>> clients) {
    return new Issuer(alias, url, clients.map(List::copyOf).orElse(List.of()));
  }
}
