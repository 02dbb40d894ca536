package io.sessionbroker.broker.verdict;

import io.sessionbroker.broker.session.SubjectRule;
import io.sessionbroker.broker.verdict.Verdict.Reason;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code GET /api/v1/verdict} (SPEC §3.2): the revocation check that NGINX {@code auth_request},
 * Traefik {@code forwardAuth} and Envoy {@code ext_authz} call with the user's {@code
 * Authorization: Bearer} header.
 *
 * <ul>
 *   <li>{@code 200}, empty body, with {@code X-Auth-Request-User} and {@code X-Session-Broker-Sub}
 *       (the {@code sub}, percent-encoded as UTF-8 by {@link SubjectRule#percentEncode}: bytes
 *       outside visible ASCII, and {@code %}, as {@code %XX}), {@code X-Session-Broker-Sid} (when
 *       the token has one), {@code X-Session-Broker-Client} ({@code azp}) and {@code
 *       X-Session-Broker-Issuer} (the alias); those claims passed the id rules in {@link
 *       AccessTokenVerifier}, so each is a valid header value (a token where one does not is
 *       refused {@code 401});
 *   <li>{@code 401} with {@code WWW-Authenticate: Bearer error="invalid_token",
 *       error_description="<reason>"} (no token: {@code Bearer} alone, RFC 6750 §3.1);
 *   <li>{@code 503} when the token cannot be judged (issuer keys unreachable, view not warm yet).
 * </ul>
 *
 * Every answer has {@code Cache-Control: no-store}; none contains the token. The method and any
 * path below {@code /api/v1/verdict/} are ignored (Envoy's {@code ext_authz} sends the original
 * request's method and appends its path), and so is a body.
 *
 * <p>A plain Vert.x route ordered before Quarkus' authentication filter (priority 200, so order
 * -200): the caller is a proxy forwarding an end user's token, not an API client, and the API's
 * caller authentication (quarkus-oidc) must neither verify the token a second time nor refuse it
 * for lacking the API audience. Cached tokens are answered on the event loop; a token needing a
 * signature check goes to a worker thread, and one whose {@code kid} is unknown waits for the key
 * refresh holding no thread (SPEC §4, {@code session-broker.jwks.max-waiting-tokens}).
 */
@ApplicationScoped
public class VerdictRoute {

  /** The path of the endpoint. */
  public static final String PATH = "/api/v1/verdict";

  /** Before quarkus-vertx-http's authentication (-200) and after CORS (-300). */
  static final int ORDER = -250;

  /** Where a verdict resumes after a key refresh: the worker pool of blocking endpoints. */
  private static final Executor WORKERS =
      task -> Infrastructure.getDefaultWorkerPool().execute(task);

  private final VerdictService verdicts;

  VerdictRoute(VerdictService verdicts) {
    this.verdicts = verdicts;
  }

  void register(@Observes Router router) {
    router.route(PATH).order(ORDER).handler(this::handle);
    // Envoy's ext_authz HTTP service appends the original path and keeps the original method.
    router.route(PATH + "/*").order(ORDER).handler(this::handle);
  }

  private void handle(RoutingContext context) {
    HttpServerResponse response = context.response();
    response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    String token = bearerToken(context.request().getHeader(HttpHeaders.AUTHORIZATION));
    Verdict quick = verdicts.judgeWithoutVerifying(token);
    if (quick != null) {
      answer(response, quick);
      return;
    }
    // The signature check runs on a worker thread; a token waiting for a key refresh holds none
    // (bounded by session-broker.jwks.max-waiting-tokens) and resumes on a worker thread.
    Context requestContext = context.vertx().getOrCreateContext();
    context
        .vertx()
        .<CompletableFuture<Verdict>>executeBlocking(
            () -> verdicts.judgeLater(token, WORKERS), false)
        .onComplete(
            started -> {
              if (started.failed()) {
                context.fail(started.cause());
                return;
              }
              started
                  .result()
                  .whenComplete(
                      (verdict, failure) ->
                          requestContext.runOnContext(
                              ignored -> {
                                if (failure != null) {
                                  context.fail(failure);
                                  return;
                                }
                                try {
                                  answer(response, verdict);
                                } catch (RuntimeException e) {
                                  // Off the router's own handler call: a failure here would
                                  // otherwise leave the proxy without any answer.
                                  context.fail(e);
                                }
                              }));
            });
  }

  private static void answer(HttpServerResponse response, Verdict verdict) {
    Reason reason = verdict.reason();
    response.setStatusCode(reason.status());
    if (verdict.allowed()) {
      AccessToken token = verdict.token();
      if (token.sub() != null) {
        // A sub may hold spaces and non-ASCII letters (user-storage ids), which a header value
        // cannot carry as they are; a UUID sub comes out unchanged.
        String user = SubjectRule.percentEncode(token.sub(), "");
        response.putHeader("X-Auth-Request-User", user);
        response.putHeader("X-Session-Broker-Sub", user);
      }
      if (token.sid() != null) {
        response.putHeader("X-Session-Broker-Sid", token.sid());
      }
      response.putHeader("X-Session-Broker-Client", token.clientId());
      response.putHeader("X-Session-Broker-Issuer", token.issuer().alias());
    } else if (reason == Reason.NO_TOKEN) {
      response.putHeader("WWW-Authenticate", "Bearer");
    } else if (reason.status() == 401) {
      response.putHeader(
          "WWW-Authenticate",
          "Bearer error=\"invalid_token\", error_description=\"" + reason.tag() + "\"");
    } else {
      response.putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    response.end();
  }

  /** The token of an {@code Authorization: Bearer <token>} header, or null. */
  static String bearerToken(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = authorization.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
