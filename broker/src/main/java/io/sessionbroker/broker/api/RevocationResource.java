package io.sessionbroker.broker.api;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.broker.security.Caller;
import io.sessionbroker.broker.security.CallerResolver;
import io.sessionbroker.broker.session.PublishedEvent;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

  RevocationResource(
      RevocationService revocations, CallerResolver callers, SecurityIdentity identity) {
    this.revocations = revocations;
    this.callers = callers;
    this.identity = identity;
  }

  /**
   * Revokes by sid, by sub, or one clientId + sessionId, within the admin caller's own issuer (403
   * for another issuer).
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
    List<PublishedEvent> events;
    if (request.sid() != null) {
      events =
          revocations.revokeSid(
              issuer, request.sid(), null, null, Reason.ADMIN, "admin:" + UUID.randomUUID());
    } else if (request.sub() != null) {
      events =
          revocations.revokeUser(
              issuer, request.sub(), null, Reason.ADMIN, UUID.randomUUID().toString());
    } else {
      if (request.clientId() == null || request.sessionId() == null) {
        throw ApiRequestException.badRequest("clientId and sessionId go together");
      }
      events =
          List.of(
              revocations
                  .revokeSession(issuer, request.clientId(), request.sessionId(), Reason.ADMIN)
                  .orElseThrow(
                      () ->
                          new SessionNotFoundException(
                              "no active session with this id for this client")));
    }
    return Map.of(
        "events",
        events.stream().map(e -> Map.of("clientId", e.clientId(), "id", e.id())).toList());
  }
}
