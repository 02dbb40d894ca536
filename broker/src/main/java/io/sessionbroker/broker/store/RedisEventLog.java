package io.sessionbroker.broker.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.EventLog;
import io.sessionbroker.broker.session.LogFingerprint;
import io.sessionbroker.broker.session.PublishedEvent;
import io.sessionbroker.broker.session.RevocationEvent;
import io.sessionbroker.broker.session.StreamId;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Client streams and channels over Redis. Appending is one Lua script on the stream's slot (dedupe
 * check, XADD with the id Redis assigns, trim, marker; the entry layout is {@link EventEntry}), so
 * it is exactly-once per dedupe key even with several broker instances; publishing follows it, with
 * SPUBLISH in Redis Cluster.
 */
@ApplicationScoped
public class RedisEventLog implements EventLog {

  private static final LuaScript APPEND_EVENT = LuaScript.load("append_event");
  private static final Logger LOG = Logger.getLogger(RedisEventLog.class);

  private final RedisDataSource redis;
  private final RedisKeys keys;
  private final ObjectMapper json;
  private final Duration retention;
  private final boolean cluster;
  private final Clock clock = Clock.systemUTC();
  private final MeterRegistry metrics;
  private final RedisCalls calls;
  private final Map<String, Counter> publishedCounters = new ConcurrentHashMap<>();

  RedisEventLog(
      RedisDataSource redis,
      RedisCalls calls,
      RedisKeys keys,
      ObjectMapper json,
      SessionBrokerConfig config,
      MeterRegistry metrics,
      @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone")
          String clientType) {
    this.redis = redis;
    this.calls = calls;
    this.keys = keys;
    this.json = json;
    this.retention = config.events().retention();
    this.metrics = metrics;
    this.cluster = "cluster".equalsIgnoreCase(clientType);
  }

  @Override
  public PublishedEvent appendAndPublish(RevocationEvent event, String dedupeKey, String origin) {
    return appendAndPublishAll(List.of(new Append(event, dedupeKey, origin)), null).get(0);
  }

  @Override
  public List<PublishedEvent> appendAndPublishAll(List<Append> appends, ProcessedJti processed) {
    return calls.await(appendAndPublishAllAsync(appends, processed));
  }

  @Override
  public Uni<List<PublishedEvent>> appendAndPublishAllAsync(
      List<Append> appends, ProcessedJti processed) {
    // Deferred: a fault while building the commands fails the Uni like a failed reply.
    return Uni.createFrom()
        .deferred(
            () -> {
              long trimBefore = clock.millis() - retention.toMillis();
              List<RedisCall> appendCalls = new ArrayList<>(appends.size() + 1);
              for (Append append : appends) {
                appendCalls.add(appendCall(append, trimBefore));
              }
              RedisCall mark =
                  processed == null
                      ? null
                      : RedisCall.command(
                          "SET",
                          processedJtiKey(processed),
                          "1",
                          "PX",
                          Long.toString(processed.retention().toMillis()));
              Uni<List<Response>> replies =
                  cluster
                      ? appendInCluster(appends, appendCalls, mark)
                      : appendPipelined(appendCalls, mark, processed);
              return calls.bounded(replies).map(results -> published(appends, results));
            });
  }

  private List<PublishedEvent> published(List<Append> appends, List<Response> results) {
    List<PublishedEvent> published = new ArrayList<>(appends.size());
    for (int i = 0; i < appends.size(); i++) {
      published.add(published(appends.get(i).event(), results.get(i)));
    }
    return published;
  }

  private String processedJtiKey(ProcessedJti processed) {
    return keys.processedJti(processed.issuer(), processed.sid(), processed.jti());
  }

  /**
   * Outside a cluster: the scripts publish themselves, and the jti marker follows them in the same
   * pipeline, so Redis sets it only after all of them ran. Should one of them fail for good (not an
   * outage: those journal the revocation, and the journal's replay marks the jti itself), the
   * marker is withdrawn, leaving the token replayable.
   */
  private Uni<List<Response>> appendPipelined(
      List<RedisCall> appendCalls, RedisCall mark, ProcessedJti processed) {
    if (mark != null) {
      appendCalls.add(mark);
    }
    if (appendCalls.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return calls
        .pipelineAsync(appendCalls)
        .onFailure(failure -> mark != null && !RedisFailures.isUnavailable(failure))
        .call(failure -> withdraw(processed));
  }

  /** Best effort: the logout is answered 503 or 500 anyway; the original failure is reported. */
  private Uni<Response> withdraw(ProcessedJti processed) {
    return calls
        .send(RedisCall.command("SET", processedJtiKey(processed), "0", "PX", "1"))
        .onFailure()
        .recoverWithNull();
  }

  /**
   * In a cluster the streams and the jti marker sit on different nodes: the appends run
   * concurrently, each followed by its SPUBLISH (sharded pub/sub keeps a channel on the node that
   * owns its slot, which is not the stream's), and the marker is set once all are answered.
   */
  private Uni<List<Response>> appendInCluster(
      List<Append> appends, List<RedisCall> appendCalls, RedisCall mark) {
    if (appendCalls.isEmpty() && mark == null) {
      return Uni.createFrom().item(List.of());
    }
    List<Uni<Response>> sent = new ArrayList<>(appendCalls.size());
    for (int i = 0; i < appendCalls.size(); i++) {
      RevocationEvent event = appends.get(i).event();
      sent.add(
          calls
              .send(appendCalls.get(i))
              .call(
                  result -> {
                    String payload = payloadToPublish(result);
                    return payload == null
                        ? Uni.createFrom().voidItem()
                        : calls.send(
                            RedisCall.command(
                                "SPUBLISH",
                                keys.revocationChannel(event.issuer(), event.clientId()),
                                payload));
                  }));
    }
    Uni<List<Response>> all =
        sent.isEmpty() ? Uni.createFrom().item(List.of()) : Uni.join().all(sent).andFailFast();
    if (mark != null) {
      all = all.call(results -> calls.send(mark));
    }
    return all;
  }

  private RedisCall appendCall(Append append, long trimBefore) {
    RevocationEvent event = append.event();
    String stream = keys.eventStream(event.issuer(), event.clientId());
    return RedisCall.script(
        APPEND_EVENT,
        List.of(stream, keys.eventDedupe(stream, append.dedupeKey())),
        List.of(
            jsonAfterId(event),
            trimBefore + "-0",
            Long.toString(retention.toMillis()),
            append.origin(),
            // Outside a cluster the script publishes itself: one round trip, and no gap
            // between append and publish.
            cluster ? "" : keys.revocationChannel(event.issuer(), event.clientId())));
  }

  /** The stored payload when the script appended it or saw a retry of its revocation, else null. */
  private static String payloadToPublish(Response result) {
    Response stored = result.get(1);
    boolean appended = result.get(2).toLong() == 1L;
    boolean retry = result.get(3).toLong() == 1L;
    return stored == null || !(appended || retry) ? null : stored.toString();
  }

  private PublishedEvent published(RevocationEvent event, Response result) {
    String id = result.get(0).toString();
    Response stored = result.get(1);
    boolean appended = result.get(2).toLong() == 1L;
    if (payloadToPublish(result) == null) {
      // Another revocation of the same thing already published it (or it was trimmed long ago).
      return new PublishedEvent(
          event.clientId(), id, stored == null ? null : stored.toString(), false);
    }
    if (appended) {
      publishedCounter(event.issuer(), event.clientId()).increment();
      logAccepted(event, id);
    }
    return new PublishedEvent(event.clientId(), id, stored.toString(), appended);
  }

  /**
   * One INFO line per revocation event appended (one per client a revocation reaches), never for a
   * deduplicated retry. {@code sid} and {@code sub} appear only as {@link LogFingerprint}s.
   */
  private static void logAccepted(RevocationEvent event, String id) {
    LOG.infof(
        "Revocation recorded: issuer=%s client=%s type=%s reason=%s sid#=%s sub#=%s sessions=%d"
            + " event=%s",
        event.issuer(),
        event.clientId(),
        event.type().json(),
        event.reason().json(),
        LogFingerprint.of(event.sid()),
        LogFingerprint.of(event.sub()),
        event.sessionIds().size(),
        id);
  }

  private Counter publishedCounter(String issuer, String clientId) {
    return publishedCounters.computeIfAbsent(
        issuer + RedisKeys.SEP + clientId,
        key ->
            metrics.counter(
                "sessionbroker.events.published", "issuer", issuer, "client", clientId));
  }

  @Override
  public List<ReadEvent> read(String issuer, String clientId, StreamId from, int limit) {
    String start = from == null ? "-" : from.toString();
    String stream = keys.eventStream(issuer, clientId);
    Response entries =
        redis.execute("XRANGE", stream, start, "+", "COUNT", Integer.toString(limit));
    List<ReadEvent> events = new ArrayList<>();
    if (entries == null) {
      return events;
    }
    for (Response entry : entries) {
      events.add(new ReadEvent(entry.get(0).toString(), EventEntry.read(stream, entry)));
    }
    return events;
  }

  /**
   * The event JSON after {@link EventEntry#HEAD}: the script stores it after that head and
   * publishes it after the head and the {@code id} member.
   */
  private String jsonAfterId(RevocationEvent event) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", event.type().json());
    body.put("reason", event.reason().json());
    body.put("issuer", event.issuer());
    body.put("clientId", event.clientId());
    if (event.sid() != null) {
      body.put("sid", event.sid());
    }
    if (event.sub() != null) {
      body.put("sub", event.sub());
    }
    body.put("sessionIds", event.sessionIds().stream().sorted().toList());
    body.put("at", event.at().toString());
    if (event.notBefore() != null) {
      body.put("notBefore", event.notBefore().toString());
    }
    try {
      return json.writeValueAsString(body).substring(1);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Event JSON could not be written", e);
    }
  }
}
