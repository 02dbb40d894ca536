package io.sessionbroker.broker.diagnostics;

import io.quarkus.runtime.StartupEvent;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import io.sessionbroker.broker.token.IssuerMetadata;
import io.sessionbroker.broker.token.IssuerMetadataClient;
import io.sessionbroker.broker.token.IssuerMetadataException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;

/**
 * Checks that the broker can reach each issuer: OpenID discovery, the advertised issuer, the JWKS
 * and its keys, read with the same client and TLS trust as the broker's key cache ({@link
 * IssuerMetadataClient}), and explains any failure in plain words. Runs once at startup (a report
 * in the log) and on demand ({@code GET /api/v1/diagnostics}).
 */
@ApplicationScoped
public class IssuerDiagnostics {

  private static final Logger LOG = Logger.getLogger(IssuerDiagnostics.class);

  private final IssuerDirectory issuers;
  private final SessionBrokerConfig config;
  private final IssuerMetadataClient metadata;

  IssuerDiagnostics(IssuerDirectory issuers, SessionBrokerConfig config) {
    this.issuers = issuers;
    this.config = config;
    this.metadata = new IssuerMetadataClient(config.jwks().timeout());
  }

  void reportAtStartup(@Observes StartupEvent startup) {
    Thread report =
        new Thread(
            () -> {
              for (IssuerReport issuer : checkAll()) {
                if (issuer.ok()) {
                  LOG.infof(
                      "Issuer '%s' (%s): reachable, keys loaded", issuer.alias(), issuer.url());
                } else {
                  CheckStep failed = issuer.steps().get(issuer.steps().size() - 1);
                  LOG.warnf(
                      "Issuer '%s' (%s): %s failed: %s",
                      issuer.alias(), issuer.url(), failed.name(), failed.detail());
                }
              }
            },
            "issuer-diagnostics");
    report.setDaemon(true);
    report.start();
  }

  /** Checks every configured issuer. */
  public List<IssuerReport> checkAll() {
    return issuers.all().stream().map(this::check).toList();
  }

  /** Checks one issuer. */
  public IssuerReport check(Issuer issuer) {
    List<CheckStep> steps = new ArrayList<>();
    String jwksUrl = config.issuers().get(issuer.alias()).jwksUrl().orElse(null);
    IssuerMetadata document;
    try {
      document = metadata.discover(issuer.url());
      steps.add(new CheckStep("discovery", true, document.discoveryUrl() + " answered 200"));
    } catch (IssuerMetadataException e) {
      steps.add(new CheckStep("discovery", false, explain(e)));
      return report(issuer, steps);
    }
    String advertised = document.issuer();
    if (!document.namesIssuer(issuer.url())) {
      steps.add(
          new CheckStep(
              "issuer",
              false,
              "Keycloak calls itself '"
                  + advertised
                  + "', not the configured '"
                  + issuer.url()
                  + "' (they must match exactly): tokens would be rejected. Set"
                  + " session-broker.issuers."
                  + issuer.alias()
                  + ".url to Keycloak's frontend URL (its 'hostname' setting decides the issuer)."));
      return report(issuer, steps);
    }
    steps.add(new CheckStep("issuer", true, "discovery names the configured issuer"));
    if (jwksUrl == null) {
      jwksUrl = document.jwksUri().orElse(null);
      if (jwksUrl == null) {
        steps.add(new CheckStep("jwks", false, "discovery has no jwks_uri"));
        return report(issuer, steps);
      }
    }
    JsonWebKeySet jwks;
    try {
      jwks = metadata.fetchJwks(jwksUrl);
      steps.add(new CheckStep("jwks", true, jwksUrl + " answered 200"));
    } catch (IssuerMetadataException e) {
      steps.add(new CheckStep("jwks", false, explain(e)));
      return report(issuer, steps);
    }
    List<String> signingKeys = new ArrayList<>();
    for (JsonWebKey key : jwks.getJsonWebKeys()) {
      if (!"enc".equals(key.getUse())) {
        signingKeys.add(orUnknown(key.getKeyId()) + " (" + orUnknown(key.getAlgorithm()) + ")");
      }
    }
    steps.add(
        signingKeys.isEmpty()
            ? new CheckStep("keys", false, "the JWKS holds no signing key")
            : new CheckStep("keys", true, "signing keys: " + String.join(", ", signingKeys)));
    return report(issuer, steps);
  }

  /** A failed read in words an operator can act on, naming the URL. */
  private static String explain(IssuerMetadataException failure) {
    return switch (failure.reason()) {
      case UNREACHABLE ->
          ConnectionProblems.explain(URI.create(failure.url()), failure.ioFailure());
      case HTTP_STATUS ->
          failure.url()
              + " answered HTTP "
              + failure.status()
              + (failure.status() == 404 ? ": wrong realm name or path in the issuer URL?" : "");
      case INTERRUPTED -> "interrupted";
      case NOT_JSON, INVALID -> failure.getMessage();
    };
  }

  private static String orUnknown(String value) {
    return value == null || value.isEmpty() ? "?" : value;
  }

  private static IssuerReport report(Issuer issuer, List<CheckStep> steps) {
    boolean ok = !steps.isEmpty() && steps.stream().allMatch(CheckStep::ok);
    return new IssuerReport(issuer.alias(), issuer.url(), ok, List.copyOf(steps));
  }
}
