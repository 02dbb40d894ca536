package io.sessionbroker.broker.logout;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /backchannel-logout}: the OpenID Connect Back-Channel Logout 1.0 receiver (SPEC
 * §3.2). Point every Keycloak client's "Backchannel logout URL" here. Receives one logout token in
 * the form field {@code logout_token}: receive → verify → validate → record → publish ({@link
 * BackchannelLogoutService#process}).
 *
 * <ul>
 *   <li>{@code 200}, empty body, when recorded or a replay;
 *   <li>{@code 415} when the media type is not {@code application/x-www-form-urlencoded}
 *       (parameters such as {@code charset} aside, any case); {@code 413} when the body is larger
 *       than {@code session-broker.logout.max-body-bytes} (read bounded: a larger body is never
 *       buffered, and the connection is closed instead of reading the rest);
 *   <li>{@code 400 invalid_request} naming the failed rule; {@code 503 temporarily_unavailable}
 *       when the keys cannot be fetched or the revocation cannot be recorded for now; {@code 500
 *       server_error} on a defect ({@link CallbackError}, SPEC §4, §5).
 * </ul>
 *
 * Every answer has {@code Cache-Control: no-store}; none contains the token, and the token is never
 * logged.
 *
 * <p>A plain Vert.x route for {@code POST} only, ordered before Quarkus' authentication handler
 * (order -200), like {@link io.sessionbroker.broker.verdict.VerdictRoute}: Keycloak's call carries
 * no caller credentials, so the API's caller authentication (quarkus-oidc's tenant resolution) and
 * the REST layer's dispatch would be work per logout for nothing. Other methods reach {@link
 * BackchannelLogoutResource}, which declares the endpoint for {@code /q/openapi} and answers them
 * {@code 405}. The route runs on the event loop with no worker hand-off (SPEC §6); a token whose
 * {@code kid} is unknown waits for the next key refresh (SPEC §4) without holding a thread and is
 * answered when the keys arrive.
 */
@ApplicationScoped
public class BackchannelLogoutRoute {

  /** The path of the endpoint. */
  public static final String PATH = "/backchannel-logout";

  /** Before quarkus-vertx-http's authentication (-200) and after CORS (-300). */
  static final int ORDER = -250;

  private static final String CACHE_CONTROL = "Cache-Control";
  private static final String CONTENT_TYPE = "Content-Type";

  private final BackchannelLogoutService service;
  private final int maxBodyBytes;

  BackchannelLogoutRoute(BackchannelLogoutService service, SessionBrokerConfig config) {
    this.service = service;
    this.maxBodyBytes = config.logout().maxBodyBytes();
  }

  void register(@Observes Router router) {
    router.post(PATH).order(ORDER).handler(this::handle);
  }

  private void handle(RoutingContext context) {
    HttpServerRequest request = context.request();
    // A wrong media type wins over a wrong size; both are answered once the body is read, so the
    // connection stays usable, unless the body is too large to read.
    CallbackError refusal =
        isForm(request.getHeader(HttpHeaders.CONTENT_TYPE)) ? null : unsupportedMediaType();
    if (declaredLength(request) > maxBodyBytes) {
      // Refused before the body is read: it is never buffered.
      answer(context, refusal != null ? refusal : tooLarge());
      return;
    }
    if (context.body().available()) {
      // A body handler of another extension already read it (bounded by its own limit).
      Buffer body = context.body().buffer();
      receive(context, refusal, body == null ? Buffer.buffer() : body);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    request.handler(
        chunk -> {
          if (tooLarge[0]) {
            return;
          }
          if (body.length() + chunk.length() > maxBodyBytes) {
            // A chunked or mis-declared body: answer at once and read no further.
            tooLarge[0] = true;
            answer(context, refusal != null ? refusal : tooLarge());
            return;
          }
          if (refusal == null) {
            body.appendBuffer(chunk);
          }
        });
    // The client went away mid-body (or the connection was closed after a refusal): there is no
    // one left to answer.
    request.exceptionHandler(gone -> {});
    request.endHandler(
        ended -> {
          if (!tooLarge[0]) {
            receive(context, refusal, body);
          }
        });
    request.resume();
  }

  /** The whole body has been read: check it, then process the token. */
  private void receive(RoutingContext context, CallbackError refusal, Buffer body) {
    if (refusal != null) {
      answer(context, refusal);
      return;
    }
    if (body.length() > maxBodyBytes) {
      answer(context, tooLarge());
      return;
    }
    String token;
    try {
      token = FormBody.singleField(body.getBytes(), "logout_token");
    } catch (RuntimeException e) {
      answer(context, e);
      return;
    }
    Context requestContext = Vertx.currentContext();
    Thread eventLoop = Thread.currentThread();
    service
        .process(token, BackchannelLogoutService.WORKERS)
        .whenComplete(
            (fresh, failure) -> {
              if (Thread.currentThread() == eventLoop) {
                answer(context, failure);
              } else {
                requestContext.runOnContext(ignored -> answer(context, failure));
              }
            });
  }

  /**
   * Answers the processed token. Called on the request's own event loop: the processing completes
   * on the Redis client's thread, or on a worker thread after a key refresh, and comes back here.
   */
  private void answer(RoutingContext context, Throwable failure) {
    try {
      if (failure == null) {
        context.response().putHeader(CACHE_CONTROL, "no-store").end();
      } else {
        answer(
            context,
            CallbackError.of(BackchannelLogoutService.unwrap(failure), "Back-channel logout"));
      }
    } catch (RuntimeException e) {
      // Off the router's own handler call: a failure here would otherwise leave Keycloak waiting.
      context.fail(e);
    }
  }

  private static void answer(RoutingContext context, CallbackError error) {
    HttpServerResponse response = context.response();
    if (response.ended()) {
      return;
    }
    response
        .setStatusCode(error.status())
        .putHeader(CACHE_CONTROL, "no-store")
        .putHeader(CONTENT_TYPE, MediaType.APPLICATION_JSON)
        .end(error.json())
        .onComplete(
            written -> {
              if (!context.request().isEnded()) {
                // The rest of a refused body is not read: close the connection instead.
                context.request().connection().close();
              }
            });
  }

  private static CallbackError unsupportedMediaType() {
    return CallbackError.invalidRequest(
        415, "request: Content-Type must be application/x-www-form-urlencoded");
  }

  private CallbackError tooLarge() {
    return CallbackError.invalidRequest(
        413,
        "request: body larger than session-broker.logout.max-body-bytes (" + maxBodyBytes + ")");
  }

  /** The declared {@code Content-Length}, or -1 when absent or unreadable. */
  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Whether the media type (parameters such as charset aside) is exactly a form's, any case. */
  static boolean isForm(String contentType) {
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
}
