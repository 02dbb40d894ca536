package io.sessionbroker.broker.diagnostics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.StartupEvent;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Checks that the broker can reach each issuer: OpenID discovery, the advertised issuer, the JWKS
 * and its keys, over the same TLS trust the broker uses, and explains any failure in plain words.
 * Runs once at startup (a report in the log) and on demand ({@code GET /api/v1/diagnostics}).
 */
@ApplicationScoped
public class IssuerDiagnostics {

  private static final Logger LOG = Logger.getLogger(IssuerDiagnostics.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final IssuerDirectory issuers;
  private final SessionBrokerConfig config;
  private final HttpClient http;
  private final Duration timeout;

  IssuerDiagnostics(IssuerDirectory issuers, SessionBrokerConfig config) {
    this.issuers = issuers;
    this.config = config;
    this.timeout = config.jwks().timeout();
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
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
    URI discovery = URI.create(issuer.url() + "/.well-known/openid-configuration");
    JsonNode document = fetchJson("discovery", discovery, steps);
    if (document == null) {
      return report(issuer, steps);
    }
    String advertised = document.path("issuer").asText("");
    if (!advertised.replaceAll("/$", "").equals(issuer.url())) {
      steps.add(
          new CheckStep(
              "issuer",
              false,
              "Keycloak calls itself '"
                  + advertised
                  + "', not the configured '"
                  + issuer.url()
                  + "': tokens would be rejected. Set session-broker.issuers."
                  + issuer.alias()
                  + ".url to Keycloak's frontend URL (its 'hostname' setting decides the issuer)."));
      return report(issuer, steps);
    }
    steps.add(new CheckStep("issuer", true, "discovery names the configured issuer"));
    if (jwksUrl == null) {
      jwksUrl = document.path("jwks_uri").asText(null);
      if (jwksUrl == null) {
        steps.add(new CheckStep("jwks", false, "discovery has no jwks_uri"));
        return report(issuer, steps);
      }
    }
    JsonNode jwks = fetchJson("jwks", URI.create(jwksUrl), steps);
    if (jwks == null) {
      return report(issuer, steps);
    }
    List<String> signingKeys = new ArrayList<>();
    for (JsonNode key : jwks.path("keys")) {
      if (!"enc".equals(key.path("use").asText())) {
        signingKeys.add(key.path("kid").asText("?") + " (" + key.path("alg").asText("?") + ")");
      }
    }
    steps.add(
        signingKeys.isEmpty()
            ? new CheckStep("keys", false, "the JWKS holds no signing key")
            : new CheckStep("keys", true, "signing keys: " + String.join(", ", signingKeys)));
    return report(issuer, steps);
  }

  private JsonNode fetchJson(String step, URI url, List<CheckStep> steps) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        steps.add(
            new CheckStep(
                step,
                false,
                url
                    + " answered HTTP "
                    + response.statusCode()
                    + (response.statusCode() == 404
                        ? ": wrong realm name or path in the issuer URL?"
                        : "")));
        return null;
      }
      JsonNode json = JSON.readTree(response.body());
      steps.add(new CheckStep(step, true, url + " answered 200"));
      return json;
    } catch (IOException e) {
      steps.add(new CheckStep(step, false, ConnectionProblems.explain(url, e)));
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      steps.add(new CheckStep(step, false, "interrupted"));
      return null;
    }
  }

  private static IssuerReport report(Issuer issuer, List<CheckStep> steps) {
    boolean ok = !steps.isEmpty() && steps.stream().allMatch(CheckStep::ok);
    return new IssuerReport(issuer.alias(), issuer.url(), ok, List.copyOf(steps));
  }
}
