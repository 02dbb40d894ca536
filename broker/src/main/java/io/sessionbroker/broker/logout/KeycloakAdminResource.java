package io.sessionbroker.broker.logout;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.token.TokenRejectedException;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * Keycloak's legacy admin URL. Set a client's "Admin URL" to {@code
 * https://<broker>/keycloak/<alias>}; Keycloak then POSTs {@code k_logout} (realm "logout all", or
 * an admin logout of single sessions) and {@code k_push_not_before} (push revocation) here as a
 * signed JWS body. Semantics in {@link KeycloakAdminActionService}; an alias that is not configured
 * is 404.
 */
@Path("/keycloak/{alias}")
@Tag(name = "Keycloak callbacks")
public class KeycloakAdminResource {

  private static final Logger LOG = Logger.getLogger(KeycloakAdminResource.class);

  private final KeycloakAdminActionService service;
  private final int maxBodyBytes;

  KeycloakAdminResource(KeycloakAdminActionService service, SessionBrokerConfig config) {
    this.service = service;
    this.maxBodyBytes = config.logout().maxBodyBytes();
  }

  /** Realm-wide logout of this client's sessions. */
  @POST
  @Path("k_logout")
  @Operation(summary = "Keycloak admin action: logout all (signed JWS body)")
  @Blocking
  public CompletionStage<Response> logout(@PathParam("alias") String alias, byte[] body) {
    return handle(alias, KeycloakAdminActionService.LOGOUT, body);
  }

  /** Revokes this client's sessions issued before the pushed not-before time. */
  @POST
  @Path("k_push_not_before")
  @Operation(summary = "Keycloak admin action: push not-before (signed JWS body)")
  @Blocking
  public CompletionStage<Response> pushNotBefore(@PathParam("alias") String alias, byte[] body) {
    return handle(alias, KeycloakAdminActionService.PUSH_NOT_BEFORE, body);
  }

  /**
   * Runs on a worker thread; a JWS whose {@code kid} is unknown waits for the next key refresh
   * (SPEC §4) without holding that thread.
   */
  private CompletionStage<Response> handle(String alias, String action, byte[] body) {
    Response refused = refuseRequest(alias, body);
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    return CompletableFuture.completedFuture(alias)
        .thenCompose(
            known ->
                service.apply(
                    alias,
                    action,
                    new String(body, StandardCharsets.UTF_8),
                    BackchannelLogoutService.WORKERS))
        .handle(
            (applied, failure) ->
                failure == null
                    ? Response.noContent().build()
                    : answerFailure(BackchannelLogoutService.unwrap(failure)));
  }

  private Response refuseRequest(String alias, byte[] body) {
    if (!service.knows(alias)) {
      return CallbackError.invalidRequest(
              Status.NOT_FOUND.getStatusCode(),
              "issuer: no issuer with this alias is configured in session-broker.issuers")
          .toResponse();
    }
    if (body == null || body.length == 0) {
      return CallbackError.invalidRequest(
              Status.BAD_REQUEST.getStatusCode(), "request: empty body, expected a signed JWS")
          .toResponse();
    }
    if (body.length > maxBodyBytes) {
      return CallbackError.invalidRequest(
              Status.REQUEST_ENTITY_TOO_LARGE.getStatusCode(),
              "request: body larger than session-broker.logout.max-body-bytes")
          .toResponse();
    }
    return null;
  }

  private static Response answerFailure(Throwable failure) {
    if (failure instanceof TokenRejectedException e) {
      LOG.debugf("Keycloak admin action rejected: %s", e.getMessage());
    }
    return CallbackError.of(failure, "Keycloak admin action").toResponse();
  }
}
