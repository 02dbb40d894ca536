package io.sessionbroker.broker.logout;

import io.sessionbroker.broker.outbox.OutboxUnavailableException;
import io.sessionbroker.broker.store.RedisFailures;
import io.sessionbroker.broker.token.KeysUnavailableException;
import io.sessionbroker.broker.token.TokenRejectedException;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * An error answer of Keycloak's callback endpoints ({@code POST /backchannel-logout}, {@code POST
 * /keycloak/<alias>/...}): an HTTP status and the OAuth error object {@code
 * {"error":"...","error_description":"..."}}, sent as {@code application/json} with {@code
 * Cache-Control: no-store} (SPEC §3.2). The description names the failed rule or the cause, never
 * the token.
 *
 * @param status the HTTP status code
 * @param error the OAuth error code ({@code invalid_request}, {@code temporarily_unavailable},
 *     {@code server_error})
 * @param description the {@code error_description}
 */
record CallbackError(int status, String error, String description) {

  private static final Logger LOG = Logger.getLogger(CallbackError.class);

  /** A fault of the request itself ({@code invalid_request}). */
  static CallbackError invalidRequest(int status, String description) {
    return new CallbackError(status, "invalid_request", description);
  }

  /**
   * The answer to a failed token's processing: {@code 400} for a rule the token breaks, {@code 503}
   * when the issuer's keys cannot be fetched (logged at WARN, naming the issuer and the cause),
   * else {@link #recordingFailure}.
   *
   * @param failure the failure of the processing stage, unwrapped from any {@link
   *     java.util.concurrent.CompletionException}
   * @param what the subject, for the log lines (e.g. {@code "Logout token"})
   */
  static CallbackError of(Throwable failure, String what) {
    if (failure instanceof TokenRejectedException e) {
      return invalidRequest(400, e.getMessage());
    }
    if (failure instanceof KeysUnavailableException e) {
      // Not a verdict on the token: say why the keys cannot be fetched.
      LOG.warnf("%s not judged: %s", what, e.getMessage());
      return unavailable(e.getMessage());
    }
    return recordingFailure(
        failure instanceof RuntimeException e ? e : new IllegalStateException(failure), what);
  }

  /**
   * The one mapping of a failure to record a revocation (SPEC §5): {@code 503
   * temporarily_unavailable} only when the broker is temporarily unable to record it (Redis
   * unreachable and the journal unusable); anything else is a defect or a misconfiguration, not an
   * outage: {@code 500 server_error}, logged at ERROR with its stack trace, the body naming nothing
   * internal. Failures to fetch an issuer's keys are answered before this, by their own exception.
   *
   * @param what the subject, for the log line
   */
  static CallbackError recordingFailure(RuntimeException failure, String what) {
    if (failure instanceof OutboxUnavailableException || RedisFailures.isUnavailable(failure)) {
      LOG.warnf("%s not recorded, temporarily unable: %s", what, failure.toString());
      return unavailable("the revocation could not be recorded right now");
    }
    LOG.errorf(failure, "%s failed unexpectedly", what);
    return new CallbackError(
        500, "server_error", "the revocation could not be recorded because of an internal error");
  }

  private static CallbackError unavailable(String description) {
    return new CallbackError(503, "temporarily_unavailable", description);
  }

  /** The OAuth error object, {@code error} first. */
  Map<String, String> body() {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("error_description", description);
    return body;
  }

  /** The body as JSON text. */
  String json() {
    return new JsonObject(new LinkedHashMap<>(body())).encode();
  }

  /** As the answer of a JAX-RS resource. */
  Response toResponse() {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .header(HttpHeaders.CACHE_CONTROL, "no-store")
        .entity(body())
        .build();
  }
}
