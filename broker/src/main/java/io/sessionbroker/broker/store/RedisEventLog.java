package io.sessionbroker.broker.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.EventLog;
import io.sessionbroker.broker.session.PublishedEvent;
import io.sessionbroker.broker.session.RevocationEvent;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Client streams and channels over Redis. Appending is one Lua script on the stream's slot (dedupe
 * check, id choice, XADD, trim, marker), so it is exactly-once per dedupe key even with several
 * broker instances; publishing follows it, with SPUBLISH in Redis Cluster.
 */
@ApplicationScoped
public class RedisEventLog implements EventLog {

  private static final LuaScript APPEND_EVENT = LuaScript.load("append_event");

  private final RedisDataSource redis;
  private final RedisKeys keys;
  private final ObjectMapper json;
  private final Duration retention;
  private final boolean cluster;
  private final Clock clock = Clock.systemUTC();
  private final MeterRegistry metrics;

  RedisEventLog(
      RedisDataSource redis,
      RedisKeys keys,
      ObjectMapper json,
      SessionBrokerConfig config,
      MeterRegistry metrics,
      @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone")
          String clientType) {
    this.redis = redis;
    this.keys = keys;
    this.json = json;
    this.retention = config.events().retention();
    this.metrics = metrics;
    this.cluster = "cluster".equalsIgnoreCase(clientType);
  }

  @Override
  public PublishedEvent appendAndPublish(RevocationEvent event, String dedupeKey, String origin) {
    String stream = keys.eventStream(event.issuer(), event.clientId());
    String channel = keys.revocationChannel(event.issuer(), event.clientId());
    long trimBefore = clock.millis() - retention.toMillis();
    Response result =
        APPEND_EVENT.run(
            redis,
            List.of(stream, keys.eventDedupe(stream, dedupeKey)),
            List.of(
                jsonAfterId(event),
                trimBefore + "-0",
                Long.toString(retention.toMillis()),
                origin,
                // Outside a cluster the script publishes itself: one round trip, and no gap
                // between append and publish.
                cluster ? "" : channel));
    String id = result.get(0).toString();
    Response stored = result.get(1);
    boolean appended = result.get(2).toLong() == 1L;
    boolean retry = result.get(3).toLong() == 1L;
    if (stored == null || !(appended || retry)) {
      // Another revocation of the same thing already published it (or it was trimmed long ago).
      return new PublishedEvent(
          event.clientId(), id, stored == null ? null : stored.toString(), false);
    }
    String payload = stored.toString();
    if (cluster) {
      // Sharded pub/sub keeps a channel on the node that owns its slot instead of broadcasting
      // every message to every node; that slot is not the stream's, so publish here.
      redis.execute("SPUBLISH", channel, payload);
    }
    if (appended) {
      metrics
          .counter(
              "sessionbroker.events.published",
              "issuer",
              event.issuer(),
              "client",
              event.clientId())
          .increment();
    }
    return new PublishedEvent(event.clientId(), id, payload, appended);
  }

  @Override
  public List<PublishedEvent> read(String issuer, String clientId, String afterId, int limit) {
    String start = afterId == null ? "-" : "(" + afterId;
    Response entries =
        redis.execute(
            "XRANGE",
            keys.eventStream(issuer, clientId),
            start,
            "+",
            "COUNT",
            Integer.toString(limit));
    List<PublishedEvent> events = new ArrayList<>();
    if (entries == null) {
      return events;
    }
    for (Response entry : entries) {
      Response fields = entry.get(1);
      events.add(
          new PublishedEvent(clientId, entry.get(0).toString(), fields.get(1).toString(), false));
    }
    return events;
  }

  /** The event JSON from after {@code "id"}: the script prepends {@code {"v":1,"id":"..."}. */
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
