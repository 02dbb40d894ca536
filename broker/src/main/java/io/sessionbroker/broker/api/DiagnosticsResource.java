package io.sessionbroker.broker.api;

import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.broker.diagnostics.IssuerDiagnostics;
import io.sessionbroker.broker.diagnostics.IssuerReport;
import io.sessionbroker.broker.security.CallerResolver;
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
  private final CallerResolver callers;
  private final SecurityIdentity identity;

  DiagnosticsResource(
      IssuerDiagnostics issuers, CallerResolver callers, SecurityIdentity identity) {
    this.issuers = issuers;
    this.callers = callers;
    this.identity = identity;
  }

  /** Checks discovery, issuer name, JWKS and keys of every issuer (admin role). */
  @GET
  @Operation(summary = "Check every issuer's discovery, JWKS and TLS trust (admin role)")
  public Map<String, Object> check() {
    if (!callers.resolve(identity).admin()) {
      throw new ForbiddenException("diagnostics need the admin realm role");
    }
    List<IssuerReport> reports = issuers.checkAll();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", reports.stream().allMatch(IssuerReport::ok));
    body.put("issuers", reports);
    return body;
  }
}
