package io.sessionbroker.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Instant;
import java.util.Map;

/**
 * Acts as the broker in tests: appends an event to the client's stream (field {@code event}), then
 * publishes the same JSON carrying the stream id, exactly as SPEC §3.3 says.
 */
public final class FakeBroker implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final String channel;
  private final String stream;
  private final boolean sharded;

  public FakeBroker(String redisUri, SessionBrokerOptions options) {
    this.client = RedisClient.create(redisUri);
    this.connection = client.connect();
    this.channel = options.channel();
    this.stream = options.streamKey();
    this.sharded = options.shardedPubSub();
  }

  public RedisCommands<String, String> redis() {
    return connection.sync();
  }

  public static ObjectNode sessionRevoked(String sid, String... sessionIds) {
    ObjectNode event = base("session.revoked");
    event.put("sid", sid);
    event.put("sub", "user-of-" + sid);
    var ids = event.putArray("sessionIds");
    for (String id : sessionIds) {
      ids.add(id);
    }
    return event;
  }

  public static ObjectNode userRevoked(String sub) {
    ObjectNode event = base("user.revoked");
    event.put("sub", sub);
    event.putArray("sessionIds");
    return event;
  }

  public static ObjectNode clientRevoked(Instant notBefore) {
    ObjectNode event = base("client.revoked");
    event.put("notBefore", notBefore.toString());
    event.putArray("sessionIds");
    return event;
  }

  private static ObjectNode base(String type) {
    ObjectNode event = JSON.createObjectNode();
    event.put("v", 1);
    event.put("type", type);
    event.put("reason", "backchannel_logout");
    event.put("issuer", "acme");
    event.put("clientId", "app1");
    event.put("at", Instant.now().toString());
    event.put("someFutureField", "ignored by consumers");
    return event;
  }

  /** XADD then PUBLISH; returns the stream id. */
  public String revoke(ObjectNode event) {
    String id = append(event);
    publish(event, id);
    return id;
  }

  /** Only XADD (as if the publish was lost or the subscriber was away); returns the stream id. */
  public String append(ObjectNode event) {
    return redis().xadd(stream, Map.of("event", event.toString()));
  }

  /** Only PUBLISH, with {@code id} set in the payload. */
  public void publish(ObjectNode event, String id) {
    ObjectNode copy = event.deepCopy();
    copy.put("id", id);
    if (sharded) {
      redis().spublish(channel, copy.toString());
    } else {
      redis().publish(channel, copy.toString());
    }
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
