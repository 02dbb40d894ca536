package io.sessionbroker.broker.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.security.Caller;
import io.sessionbroker.broker.security.CallerResolver;
import io.sessionbroker.broker.session.IdRule;
import io.sessionbroker.broker.session.InvalidCursorException;
import io.sessionbroker.broker.session.RegistrationService;
import io.sessionbroker.broker.session.SessionNotFoundException;
import io.sessionbroker.broker.session.SessionPage;
import io.sessionbroker.broker.session.SessionQuery;
import io.sessionbroker.broker.session.SessionRecord;
import io.sessionbroker.broker.session.SessionStore;
import io.sessionbroker.broker.session.SubjectRule;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Session registrations. An app registers, reads and deletes only its own client's sessions; the
 * admin role may query all.
 */
@Path("/api/v1/sessions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Sessions")
public class SessionResource {

  private final RegistrationService registrations;
  private final SessionStore store;
  private final CallerResolver callers;
  private final SecurityIdentity identity;
  private final MeterRegistry metrics;
  private final SessionBrokerConfig.Api limits;
  private final Counter stored;
  private final Counter queries;

  SessionResource(
      RegistrationService registrations,
      SessionStore store,
      CallerResolver callers,
      SecurityIdentity identity,
      MeterRegistry metrics,
      SessionBrokerConfig config) {
    this.registrations = registrations;
    this.store = store;
    this.callers = callers;
    this.identity = identity;
    this.metrics = metrics;
    this.limits = config.api();
    this.stored = metrics.counter("sessionbroker.registrations", "outcome", "stored");
    this.queries = metrics.counter("sessionbroker.queries");
  }

  /**
   * Registers a session of the calling client (SPEC §3.2): {@code 201} with the stored record;
   * {@code 400} for a malformed request, an invalid ID token or a bad time; {@code 409
   * session_revoked} when a revocation covers the session, {@code 409 too_many_sessions_for_sid}
   * when its sid holds {@code session-broker.registration.max-per-sid} registrations; {@code 503}
   * when Redis or the issuer's keys cannot be had now, or {@code 503 registry_full} with {@code
   * Retry-After} when Redis's remaining memory is kept for revocations (SPEC §5; problem bodies by
   * {@link ProblemMappers}).
   *
   * <p>Runs on the Vert.x event loop (SPEC §6): no worker thread is taken or handed off to. The ID
   * token's signature check runs inline when its key is cached; after a key refresh the rest
   * resumes on this request's Vert.x context; Redis replies arrive on an event loop.
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Register an app session under its Keycloak SSO session")
  public Uni<Response> register(@Valid @NotNull RegisterSessionRequest request) {
    Caller caller = callers.resolve(identity);
    String clientId = caller.appClientId();
    boolean withIdToken = request.idToken() != null && !request.idToken().isBlank();
    boolean withSid = request.sid() != null;
    if (withIdToken == withSid) {
      throw ApiRequestException.badRequest(
          "give either idToken or sid (with optional sub), not both or neither");
    }
    Uni<SessionRecord> registered =
        withIdToken
            ? registrations.registerWithIdTokenAsync(
                caller.issuer(),
                clientId,
                request.sessionId(),
                request.idToken(),
                request.expiresAt(),
                resumeOnThisContext())
            : registrations.registerAsync(
                caller.issuer(),
                clientId,
                request.sessionId(),
                request.sid(),
                request.sub(),
                request.expiresAt(),
                request.issuedAt());
    return registered
        .onFailure(failure -> !(failure instanceof RuntimeException))
        // As a blocking wait reports it, so the mappers see the same failures either way.
        .transform(CompletionException::new)
        .onFailure()
        .invoke(
            failure ->
                metrics
                    .counter(
                        "sessionbroker.registrations",
                        "outcome",
                        failure.getClass().getSimpleName())
                    .increment())
        .map(
            record -> {
              stored.increment();
              return Response.created(
                      UriBuilder.fromPath("/api/v1/sessions/{id}").build(record.sessionId()))
                  .entity(record)
                  .build();
            });
  }

  /**
   * Runs a task on the current request's Vert.x context (its event loop), where the request
   * started; on a worker pool when there is none.
   */
  private static Executor resumeOnThisContext() {
    Context context = Vertx.currentContext();
    if (context == null) {
      return task -> Infrastructure.getDefaultWorkerPool().execute(task);
    }
    return task -> context.runOnContext(ignored -> task.run());
  }

  /** One session of the calling client. */
  @GET
  @Path("{sessionId}")
  @Operation(summary = "Read one of the calling client's sessions")
  public SessionRecord get(
      @PathParam("sessionId") @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION)
          String sessionId) {
    Caller caller = callers.resolve(identity);
    String clientId = caller.appClientId();
    return store
        .find(caller.issuer().alias(), clientId, sessionId)
        .orElseThrow(
            () -> new SessionNotFoundException("no session with this id for client " + clientId));
  }

  /** Removes a registration of the calling client (the app ended the session itself). */
  @DELETE
  @Path("{sessionId}")
  @Operation(summary = "Delete one of the calling client's sessions")
  public Response delete(
      @PathParam("sessionId") @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION)
          String sessionId) {
    Caller caller = callers.resolve(identity);
    String clientId = caller.appClientId();
    if (!store.delete(caller.issuer().alias(), clientId, sessionId)) {
      throw new SessionNotFoundException("no session with this id for client " + clientId);
    }
    return Response.noContent().build();
  }

  /**
   * Queries sessions, paged. Apps see their own client's; the admin role sees every client's of its
   * own issuer. {@code cursor} must be a {@code next} this caller got for the same query, else 400.
   */
  @GET
  @Operation(summary = "Query sessions by sid, sub, clientId or issuer, paged")
  public SessionPage query(
      @QueryParam("sid") @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String sid,
      @QueryParam("sub") @Pattern(regexp = SubjectRule.PATTERN, message = SubjectRule.DESCRIPTION)
          String sub,
      @QueryParam("clientId") @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION)
          String clientId,
      @QueryParam("issuer") @Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION)
          String issuer,
      @QueryParam("limit") String limit,
      @QueryParam("cursor") String cursor) {
    Caller caller = callers.resolve(identity);
    String issuerAlias = caller.ownIssuer(issuer);
    if (!caller.admin()) {
      String own = caller.appClientId();
      if (clientId != null && !clientId.equals(own)) {
        throw new ForbiddenException("an app may only query its own client's sessions");
      }
      clientId = own;
    }
    int pageSize = PageLimits.parse(limit, limits);
    queries.increment();
    try {
      return store.query(
          new SessionQuery(
              issuerAlias, clientId, sid, sub, pageSize, cursor, caller.cursorBinding()));
    } catch (InvalidCursorException e) {
      throw ApiRequestException.badRequest(e.getMessage());
    }
  }
}
