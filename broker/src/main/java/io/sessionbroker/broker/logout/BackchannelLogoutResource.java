package io.sessionbroker.broker.logout;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.outbox.OutboxUnavailableException;
import io.sessionbroker.broker.store.RedisFailures;
import io.sessionbroker.broker.token.KeysUnavailableException;
import io.sessionbroker.broker.token.TokenRejectedException;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import java.util.Locale;
import java.util.Map;
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

  /** Receives one logout token in the form field {@code logout_token}. */
  @POST
  @Operation(summary = "Receive a back-channel logout token (form field logout_token)")
  public Response receive(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
    if (contentType == null
        || !contentType
            .toLowerCase(Locale.ROOT)
            .startsWith(MediaType.APPLICATION_FORM_URLENCODED)) {
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
    try {
      service.process(FormBody.singleField(body, "logout_token"));
      return Response.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    } catch (TokenRejectedException e) {
      return error(Status.BAD_REQUEST, "invalid_request", e.getMessage());
    } catch (KeysUnavailableException e) {
      // Not a verdict on the token: say why the keys cannot be fetched (the message names the
      // issuer and the cause, never the token).
      LOG.warnf("Logout token not judged: %s", e.getMessage());
      return unavailable(e.getMessage());
    } catch (RuntimeException e) {
      return recordingFailure(e, "Back-channel logout");
    }
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
