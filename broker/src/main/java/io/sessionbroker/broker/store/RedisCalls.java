package io.sessionbroker.broker.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Several Redis commands for the price of one wait. Every blocking call costs a request thread a
 * hand-off to the Redis event loop and back (about 40 µs of CPU, more than the command itself), so
 * the hot paths send what they can together and wait once:
 *
 * <ul>
 *   <li>standalone and Sentinel: {@link #pipeline}, the commands in one write on one connection.
 *       Redis runs a connection's commands in the order sent, so each one runs after the ones
 *       before it, as if sent one by one;
 *   <li>Redis Cluster, where the keys of one request live on different nodes: {@link #send} each
 *       command on its own (they run concurrently) and {@link #await} the combination once; what
 *       must run after something else is chained after its reply.
 * </ul>
 *
 * A script is sent as EVALSHA and again as EVAL after NOSCRIPT (a restarted or new server).
 */
@ApplicationScoped
public class RedisCalls {

  private final Redis redis;

  /**
   * The same client without its Mutiny wrapper: the event-loop paths call it with Vert.x callbacks,
   * since every Mutiny operator costs a context-propagation capture per call.
   */
  private final io.vertx.redis.client.Redis core;

  private final Vertx vertx;
  private final Duration timeout;
  private final boolean cluster;

  RedisCalls(
      RedisDataSource dataSource,
      Vertx vertx,
      @ConfigProperty(name = "quarkus.redis.timeout", defaultValue = "10s") Duration timeout,
      @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone")
          String clientType) {
    this.redis = dataSource.getReactive().getRedis();
    this.core = redis.getDelegate();
    this.vertx = vertx;
    this.timeout = timeout;
    this.cluster = "cluster".equalsIgnoreCase(clientType);
  }

  /** Whether the client talks to a Redis Cluster: no {@link #pipeline}. */
  boolean cluster() {
    return cluster;
  }

  /**
   * Sends the calls in this order on one connection and waits once for all replies (nil replies are
   * null). When one fails, all fail, but the others may have run: every call must be safe to
   * repeat. After NOSCRIPT the whole pipeline is sent again with the scripts' sources.
   *
   * @throws IllegalStateException in cluster mode
   */
  List<Response> pipeline(List<RedisCall> calls) {
    return await(pipelineAsync(calls));
  }

  /**
   * {@link #pipeline} without waiting: the replies arrive on the Redis client's event loop, so a
   * request on the event loop never hands off to a worker and back.
   *
   * @throws IllegalStateException in cluster mode
   */
  Uni<List<Response>> pipelineAsync(List<RedisCall> calls) {
    if (cluster) {
      throw new IllegalStateException("no pipelines across the nodes of a Redis Cluster");
    }
    List<io.vertx.redis.client.Request> first = requests(calls, false);
    return Uni.createFrom().emitter(emitter -> batch(calls, first, false, emitter));
  }

  private void batch(
      List<RedisCall> calls,
      List<io.vertx.redis.client.Request> requests,
      boolean withSource,
      UniEmitter<? super List<Response>> emitter) {
    core.batch(requests)
        .onComplete(
            sent -> {
              if (sent.succeeded()) {
                emitter.complete(replies(sent.result()));
              } else if (!withSource && isNoScript(sent.cause())) {
                batch(calls, requests(calls, true), true, emitter);
              } else {
                emitter.fail(sent.cause());
              }
            });
  }

  /** Sends one call on its own (any topology); EVAL after NOSCRIPT. */
  Uni<Response> send(RedisCall call) {
    io.vertx.redis.client.Request first = call.request().getDelegate();
    return Uni.createFrom().emitter(emitter -> send(call, first, false, emitter));
  }

  private void send(
      RedisCall call,
      io.vertx.redis.client.Request request,
      boolean withSource,
      UniEmitter<? super Response> emitter) {
    core.send(request)
        .onComplete(
            sent -> {
              if (sent.succeeded()) {
                emitter.complete(Response.newInstance(sent.result()));
              } else if (!withSource && isNoScript(sent.cause())) {
                send(call, call.withSource().getDelegate(), true, emitter);
              } else {
                emitter.fail(sent.cause());
              }
            });
  }

  /** The replies as the Mutiny client gives them: a nil reply is null. */
  private static List<Response> replies(List<io.vertx.redis.client.Response> replies) {
    List<Response> wrapped = new ArrayList<>(replies.size());
    for (io.vertx.redis.client.Response reply : replies) {
      wrapped.add(Response.newInstance(reply));
    }
    return wrapped;
  }

  /** Sends the calls on their own, concurrently; their replies in the calls' order. */
  Uni<List<Response>> sendAll(List<RedisCall> calls) {
    if (calls.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    List<Uni<Response>> sent = new ArrayList<>(calls.size());
    for (RedisCall call : calls) {
      sent.add(send(call));
    }
    return Uni.join().all(sent).andFailFast();
  }

  /** Waits for a reply as the blocking data source does: at most {@code quarkus.redis.timeout}. */
  <T> T await(Uni<T> reply) {
    return reply.await().atMost(timeout);
  }

  /**
   * A reply that is not waited for, bounded like {@link #await}: it fails with a {@link
   * TimeoutException} (an outage for {@link RedisFailures#isUnavailable}) after {@code
   * quarkus.redis.timeout}, since the Redis client itself never gives up on a server that stopped
   * answering. The timer is a Vert.x timer on the caller's event loop, removed when the reply
   * arrives: a request on the event loop costs no other thread and leaves nothing queued.
   */
  <T> Uni<T> bounded(Uni<T> reply) {
    return Uni.createFrom()
        .emitter(
            emitter -> {
              long timer =
                  vertx.setTimer(
                      timeout.toMillis(),
                      fired ->
                          emitter.fail(
                              new TimeoutException(
                                  "Redis did not answer within quarkus.redis.timeout ("
                                      + timeout
                                      + ")")));
              // A subscriber of its own rather than subscribe().with(...), whose callbacks are
              // wrapped to capture and restore the caller's contexts on every call.
              reply
                  .subscribe()
                  .withSubscriber(
                      new UniSubscriber<T>() {
                        @Override
                        public void onSubscribe(UniSubscription subscription) {}

                        @Override
                        public void onItem(T item) {
                          vertx.cancelTimer(timer);
                          emitter.complete(item);
                        }

                        @Override
                        public void onFailure(Throwable failure) {
                          vertx.cancelTimer(timer);
                          emitter.fail(failure);
                        }
                      });
            });
  }

  private static List<io.vertx.redis.client.Request> requests(
      List<RedisCall> calls, boolean withSource) {
    List<io.vertx.redis.client.Request> requests = new ArrayList<>(calls.size());
    for (RedisCall call : calls) {
      requests.add((withSource ? call.withSource() : call.request()).getDelegate());
    }
    return requests;
  }

  private static boolean isNoScript(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String message = cause.getMessage();
      if (message != null && message.contains("NOSCRIPT")) {
        return true;
      }
    }
    return false;
  }
}
