package io.sessionbroker.broker.api;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.broker.admin.AdminRevocations;
import io.sessionbroker.broker.security.Caller;
import io.sessionbroker.broker.security.CallerResolver;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import io.sessionbroker.broker.session.RevocationService;
import io.sessionbroker.broker.session.SessionNotFoundException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Admin revocations: publish events like a back-channel logout, with reason {@code admin}. */
@Path("/api/v1/revocations")
@Authenticated
@Tag(name = "Revocations")
public class RevocationResource {

  private final RevocationService revocations;
  private final CallerResolver callers;
  private final SecurityIdentity identity;
  private final AdminRevocations adminRevocations;

  RevocationResource(
      RevocationService revocations,
      CallerResolver callers,
      SecurityIdentity identity,
      AdminRevocations adminRevocations) {
    this.revocations = revocations;
    this.callers = callers;
    this.identity = identity;
    this.adminRevocations = adminRevocations;
  }

  /**
   * Revokes by sid, by sub, or one clientId + sessionId (SPEC §3.2), within the admin caller's own
   * issuer (403 for another issuer). The broker's revocation is recorded first and is
   * authoritative; then, for a sid or sub, the SSO session(s) are ended at Keycloak when the issuer
   * has an admin client.
   *
   * @return {@code {"events":[{"clientId","id"}...],"keycloakSession":"ended"|"already_ended"|
   *     "not_configured"|"unchanged"|"failed: <why>"}}, with {@code "keycloakSessionNote"} saying
   *     what it means for the user when the Keycloak session was not ended
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Revoke by sid, by sub, or one clientId + sessionId (admin role)")
  public Map<String, Object> revoke(@Valid @NotNull RevocationRequest request) {
    Caller caller = callers.resolve(identity);
    String issuer = caller.adminIssuer(request.issuer());
    int modes =
        (request.sid() != null ? 1 : 0)
            + (request.sub() != null ? 1 : 0)
            + (request.clientId() != null || request.sessionId() != null ? 1 : 0);
    if (modes != 1) {
      throw ApiRequestException.badRequest(
          "give exactly one of: sid; sub; clientId with sessionId");
    }
    AdminRevocations.Outcome outcome;
    if (request.sid() != null) {
      outcome = adminRevocations.bySid(issuer, request.sid());
    } else if (request.sub() != null) {
      outcome = adminRevocations.bySub(issuer, request.sub());
    } else {
      if (request.clientId() == null || request.sessionId() == null) {
        throw ApiRequestException.badRequest("clientId and sessionId go together");
      }
      outcome =
          AdminRevocations.ofOneSession(
              revocations
                  .revokeSession(issuer, request.clientId(), request.sessionId(), Reason.ADMIN)
                  .orElseThrow(
                      () ->
                          new SessionNotFoundException(
                              "no active session with this id for this client")));
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put(
        "events",
        outcome.events().stream()
            .map(e -> Map.of("clientId", e.clientId(), "id", e.id()))
            .toList());
    answer.put("keycloakSession", outcome.keycloakSession());
    if (outcome.keycloakSessionNote() != null) {
      answer.put("keycloakSessionNote", outcome.keycloakSessionNote());
    }
    return answer;
  }
}
