package io.sessionbroker.broker.logout;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.outbox.OutboxUnavailableException;
import io.sessionbroker.broker.store.RedisFailures;
import io.sessionbroker.broker.token.KeysUnavailableException;
import io.sessionbroker.broker.token.TokenRejectedException;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * OpenID Connect Back-Channel Logout 1.0 receiver. Point every Keycloak client's "Backchannel
 * logout URL" here. Answers as §2.8 of the spec says: 200 with {@code Cache-Control: no-store} on
 * success, 400 with an OAuth error object otherwise, never echoing the token.
 */
@Path("/backchannel-logout")
@Tag(name = "Keycloak callbacks")
public class BackchannelLogoutResource {

  private static final Logger LOG = Logger.getLogger(BackchannelLogoutResource.class);

  private final BackchannelLogoutService service;
  private final int maxBodyBytes;

  BackchannelLogoutResource(BackchannelLogoutService service, SessionBrokerConfig config) {
    this.service = service;
    this.maxBodyBytes = config.logout().maxBodyBytes();
  }

  /**
   * Receives one logout token in the form field {@code logout_token}: receive → verify → validate →
   * record → publish ({@link BackchannelLogoutService#process}). Runs on the event loop with no
   * worker hand-off (SPEC §6); a token whose {@code kid} is unknown waits for the next key refresh
   * (SPEC §4) without holding a thread, and is answered when the keys arrive.
   *
   * @return 200 with {@code Cache-Control: no-store} when recorded or a replay; 400 {@code
   *     invalid_request} naming the failed rule; 415 or 413 for a wrong content type or size; 503
   *     {@code temporarily_unavailable} when the keys cannot be fetched or the revocation cannot be
   *     recorded for now; 500 {@code server_error} on a defect (SPEC §3.2, §5)
   */
  @POST
  @NonBlocking
  @Operation(summary = "Receive a back-channel logout token (form field logout_token)")
  public CompletionStage<Response> receive(
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
    Response refused = refuseRequest(contentType, body);
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    // Started inside a stage, so a fault of the form body fails the stage like any rule.
    return CompletableFuture.completedFuture(body)
        .thenCompose(
            form ->
                service.process(
                    FormBody.singleField(form, "logout_token"), BackchannelLogoutService.WORKERS))
        .handle(
            (fresh, failure) ->
                failure == null
                    ? Response.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").build()
                    : answerFailure(BackchannelLogoutService.unwrap(failure)));
  }

  /** Whether the media type (parameters such as charset aside) is exactly a form's, any case. */
  private static boolean isForm(String contentType) {
    if (contentType == null) {
      return false;
    }
    MediaType type;
    try {
      type = MediaType.valueOf(contentType);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return "application".equalsIgnoreCase(type.getType())
        && "x-www-form-urlencoded".equalsIgnoreCase(type.getSubtype());
  }

  /** The request's own faults (before the token is read), or null. */
  private Response refuseRequest(String contentType, byte[] body) {
    if (!isForm(contentType)) {
      return error(
          Status.UNSUPPORTED_MEDIA_TYPE,
          "invalid_request",
          "request: Content-Type must be application/x-www-form-urlencoded");
    }
    if (body == null || body.length > maxBodyBytes) {
      return error(
          Status.REQUEST_ENTITY_TOO_LARGE,
          "invalid_request",
          body == null
              ? "request: empty body"
              : "request: body larger than session-broker.logout.max-body-bytes ("
                  + maxBodyBytes
                  + ")");
    }
    return null;
  }

  private static Response answerFailure(Throwable failure) {
    if (failure instanceof TokenRejectedException e) {
      return error(Status.BAD_REQUEST, "invalid_request", e.getMessage());
    }
    if (failure instanceof KeysUnavailableException e) {
      // Not a verdict on the token: say why the keys cannot be fetched (the message names the
      // issuer and the cause, never the token).
      LOG.warnf("Logout token not judged: %s", e.getMessage());
      return unavailable(e.getMessage());
    }
    return recordingFailure(asRuntime(failure), "Back-channel logout");
  }

  /** A failure of a stage as the runtime exception the failure mapping takes. */
  static RuntimeException asRuntime(Throwable failure) {
    return failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
  }

  /**
   * The one mapping of a failure to record a revocation for Keycloak's endpoints (SPEC §5): {@code
   * 503 temporarily_unavailable} only when the broker is temporarily unable to record it (Redis
   * unreachable and the journal unusable); anything else is a defect or a misconfiguration, not an
   * outage: {@code 500 server_error}, logged at ERROR with its stack trace, the body naming nothing
   * internal. Failures to fetch an issuer's keys are answered before this, by their own exception.
   *
   * @param what the endpoint, for the log line
   */
  static Response recordingFailure(RuntimeException failure, String what) {
    if (failure instanceof OutboxUnavailableException || RedisFailures.isUnavailable(failure)) {
      LOG.warnf("%s not recorded, temporarily unable: %s", what, failure.toString());
      return unavailable("the revocation could not be recorded right now");
    }
    LOG.errorf(failure, "%s failed unexpectedly", what);
    return error(
        Status.INTERNAL_SERVER_ERROR,
        "server_error",
        "the revocation could not be recorded because of an internal error");
  }

  private static Response unavailable(String description) {
    return error(Status.SERVICE_UNAVAILABLE, "temporarily_unavailable", description);
  }

  static Response error(Status status, String error, String description) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .header(HttpHeaders.CACHE_CONTROL, "no-store")
        .entity(Map.of("error", error, "error_description", description))
        .build();
  }
}
