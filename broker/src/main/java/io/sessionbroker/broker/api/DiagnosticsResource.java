package io.sessionbroker.broker.api;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.broker.diagnostics.ClientSettingsReport;
import io.sessionbroker.broker.diagnostics.IssuerDiagnostics;
import io.sessionbroker.broker.diagnostics.IssuerReport;
import io.sessionbroker.broker.diagnostics.KeycloakClientSettings;
import io.sessionbroker.broker.security.Caller;
import io.sessionbroker.broker.security.CallerResolver;
import io.sessionbroker.broker.token.IssuerDirectory;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Admin diagnostics: can the broker reach each issuer, and if not, why in plain words. */
@Path("/api/v1/diagnostics")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Diagnostics")
public class DiagnosticsResource {

  private final IssuerDiagnostics issuers;
  private final KeycloakClientSettings clientSettings;
  private final IssuerDirectory issuerDirectory;
  private final CallerResolver callers;
  private final SecurityIdentity identity;

  DiagnosticsResource(
      IssuerDiagnostics issuers,
      KeycloakClientSettings clientSettings,
      IssuerDirectory issuerDirectory,
      CallerResolver callers,
      SecurityIdentity identity) {
    this.issuers = issuers;
    this.clientSettings = clientSettings;
    this.issuerDirectory = issuerDirectory;
    this.callers = callers;
    this.identity = identity;
  }

  /**
   * Checks discovery, issuer name, JWKS and keys of every issuer, and, when the admin caller's own
   * issuer has admin credentials, each of its app clients' logout settings in Keycloak (admin
   * role).
   */
  @GET
  @Operation(
      summary =
          "Check every issuer's discovery, JWKS and TLS trust, and Keycloak clients' logout"
              + " settings (admin role)")
  public DiagnosticsReport check() {
    Caller caller = callers.resolve(identity);
    caller.adminIssuer(null);
    // Reachability is the broker's own configuration, shown for every issuer (an admin of a realm
    // whose keys cannot be fetched could not even sign in to ask); what Keycloak holds about a
    // realm's clients is that realm's business only.
    List<IssuerReport> reports = issuers.checkAll();
    Map<String, List<ClientSettingsReport>> clients = new LinkedHashMap<>();
    for (IssuerReport report : reports) {
      if (report.ok() && report.alias().equals(caller.issuer().alias())) {
        issuerDirectory
            .byAlias(report.alias())
            .flatMap(clientSettings::check)
            .ifPresent(settings -> clients.put(report.alias(), settings));
      }
    }
    boolean ok =
        reports.stream().allMatch(IssuerReport::ok)
            && clients.values().stream().flatMap(List::stream).allMatch(ClientSettingsReport::ok);
    return new DiagnosticsReport(ok, reports, clients);
  }

  /**
   * The diagnostics answer.
   *
   * @param ok whether nothing is wrong
   * @param issuers reachability of each issuer
   * @param keycloakClients per issuer with admin credentials, each app client's logout settings
   */
  public record DiagnosticsReport(
      boolean ok,
      List<IssuerReport> issuers,
      Map<String, List<ClientSettingsReport>> keycloakClients) {}
}
