package io.sessionbroker.client.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.sync.RedisStreamCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.sessionbroker.client.SessionBrokerException;
import io.sessionbroker.client.SessionBrokerOptions;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The two Redis connections of one subscriber, for standalone, Sentinel and Cluster alike: a
 * pub/sub connection for live messages and a command connection for stream reads (a subscribed
 * RESP2 connection cannot run {@code XRANGE}). Lettuce reconnects both and resubscribes by itself.
 */
final class RedisConnections implements AutoCloseable {

  /** What the subscription learns from the pub/sub connection. Called on Lettuce threads. */
  interface PubSubEvents {

    /** The server confirmed the subscription: at start and after every reconnect. */
    void onSubscribed();

    /** A live message arrived on the channel. */
    void onMessage(String payload);

    /** The pub/sub connection was lost. */
    void onDisconnected();
  }

  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulRedisPubSubConnection<String, String> pubSub;
  private final StatefulConnection<String, String> commandConnection;
  private final RedisStreamCommands<String, String> streams;
  private final String channel;
  private final boolean sharded;

  private RedisConnections(
      ClientResources resources,
      AbstractRedisClient client,
      StatefulRedisPubSubConnection<String, String> pubSub,
      StatefulConnection<String, String> commandConnection,
      RedisStreamCommands<String, String> streams,
      String channel,
      boolean sharded) {
    this.resources = resources;
    this.client = client;
    this.pubSub = pubSub;
    this.commandConnection = commandConnection;
    this.streams = streams;
    this.channel = channel;
    this.sharded = sharded;
  }

  /**
   * Connects both connections and registers {@code events}; does not subscribe yet.
   *
   * @throws SessionBrokerException when Redis cannot be reached
   */
  static RedisConnections open(SessionBrokerOptions options, PubSubEvents events) {
    ClientResources resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), options.maxReconnectDelay(), 2, TimeUnit.MILLISECONDS))
            .build();
    AbstractRedisClient client = null;
    try {
      if (options.cluster()) {
        RedisClusterClient clusterClient = RedisClusterClient.create(resources, seedUris(options));
        clusterClient.setOptions(clusterOptions());
        client = clusterClient;
        client.addListener(disconnectListener(events));
        StatefulRedisClusterPubSubConnection<String, String> pubSub = clusterClient.connectPubSub();
        pubSub.setNodeMessagePropagation(true);
        pubSub.addListener(clusterListener(options.channel(), events));
        var commands = clusterClient.connect();
        return new RedisConnections(
            resources,
            client,
            pubSub,
            commands,
            commands.sync(),
            options.channel(),
            options.shardedPubSub());
      }
      RedisClient redisClient = RedisClient.create(resources, standaloneUri(options));
      redisClient.setOptions(clientOptions());
      client = redisClient;
      client.addListener(disconnectListener(events));
      StatefulRedisPubSubConnection<String, String> pubSub = redisClient.connectPubSub();
      pubSub.addListener(standaloneListener(options.channel(), events));
      var commands = redisClient.connect();
      return new RedisConnections(
          resources,
          client,
          pubSub,
          commands,
          commands.sync(),
          options.channel(),
          options.shardedPubSub());
    } catch (RedisException | IllegalArgumentException e) {
      if (client != null) {
        client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
      }
      resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      throw new SessionBrokerException(
          "Cannot connect to Redis for channel " + options.channel() + ": " + e.getMessage(), e);
    }
  }

  /** Subscribes to the channel and waits for the server's confirmation. */
  void subscribe() {
    if (sharded) {
      pubSub.sync().ssubscribe(channel);
    } else {
      pubSub.sync().subscribe(channel);
    }
  }

  /**
   * Up to {@code count} stream entries after {@code after} (exclusive), or from the start of the
   * stream when {@code after} is {@code null}.
   */
  List<StreamMessage<String, String>> readAfter(String streamKey, StreamId after, int count) {
    Range.Boundary<String> lower =
        after == null ? Range.Boundary.unbounded() : Range.Boundary.excluding(after.toString());
    return streams.xrange(
        streamKey, Range.from(lower, Range.Boundary.unbounded()), Limit.from(count));
  }

  /** The id of the newest entry in the stream, empty when the stream is empty or missing. */
  Optional<StreamId> lastId(String streamKey) {
    List<StreamMessage<String, String>> newest =
        streams.xrevrange(streamKey, Range.unbounded(), Limit.from(1));
    return newest.isEmpty() ? Optional.empty() : Optional.of(StreamId.parse(newest.get(0).getId()));
  }

  /** The id of the oldest entry in the stream, empty when the stream is empty or missing. */
  Optional<StreamId> firstId(String streamKey) {
    List<StreamMessage<String, String>> oldest =
        streams.xrange(streamKey, Range.unbounded(), Limit.from(1));
    return oldest.isEmpty() ? Optional.empty() : Optional.of(StreamId.parse(oldest.get(0).getId()));
  }

  /**
   * Whether entries after {@code id} may have been trimmed: the entry {@code id} itself is gone and
   * the oldest retained entry is newer. Trimming removes the oldest entries first, so while the
   * entry last read is still there, nothing after it was trimmed.
   */
  boolean mayHaveTrimmedAfter(String streamKey, StreamId id) {
    Range<String> exactly = Range.create(id.toString(), id.toString());
    if (!streams.xrange(streamKey, exactly).isEmpty()) {
      return false;
    }
    List<StreamMessage<String, String>> oldest =
        streams.xrange(streamKey, Range.unbounded(), Limit.from(1));
    return !oldest.isEmpty() && StreamId.parse(oldest.get(0).getId()).isAfter(id);
  }

  @Override
  public void close() {
    try {
      pubSub.close();
      commandConnection.close();
    } finally {
      client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
      resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static RedisURI standaloneUri(SessionBrokerOptions options) {
    RedisURI uri = RedisURI.create(options.redisUri().orElseThrow());
    uri.setTimeout(options.commandTimeout());
    return uri;
  }

  private static List<RedisURI> seedUris(SessionBrokerOptions options) {
    List<String> seeds =
        options.clusterSeedUris().isEmpty()
            ? List.of(options.redisUri().orElseThrow())
            : options.clusterSeedUris();
    return seeds.stream()
        .map(
            text -> {
              RedisURI uri = RedisURI.create(text);
              uri.setTimeout(options.commandTimeout());
              return uri;
            })
        .toList();
  }

  private static ClientOptions clientOptions() {
    return ClientOptions.builder()
        .autoReconnect(true)
        // Fail fast while disconnected: the catch-up retries on its own schedule and must never
        // pile up behind a dead connection.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().keepAlive(true).build())
        .build();
  }

  private static ClusterClientOptions clusterOptions() {
    // Default disconnected behaviour here: sharded subscriptions and slot-routed reads go over
    // node connections that Lettuce opens lazily, and rejecting would fail them while connecting.
    return ClusterClientOptions.builder()
        .autoReconnect(true)
        .socketOptions(SocketOptions.builder().keepAlive(true).build())
        .topologyRefreshOptions(
            ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build())
        .build();
  }

  private static RedisConnectionStateListener disconnectListener(PubSubEvents events) {
    return new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        // Nothing to do: the resubscription confirmation triggers the catch-up.
      }

      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (connection instanceof StatefulRedisPubSubConnection) {
          events.onDisconnected();
        }
      }
    };
  }

  private static RedisPubSubAdapter<String, String> standaloneListener(
      String channel, PubSubEvents events) {
    return new RedisPubSubAdapter<>() {
      @Override
      public void message(String from, String payload) {
        if (channel.equals(from)) {
          events.onMessage(payload);
        }
      }

      @Override
      public void smessage(String from, String payload) {
        message(from, payload);
      }

      @Override
      public void subscribed(String subscribedChannel, long count) {
        if (channel.equals(subscribedChannel)) {
          events.onSubscribed();
        }
      }

      @Override
      public void ssubscribed(String subscribedChannel, long count) {
        subscribed(subscribedChannel, count);
      }
    };
  }

  private static RedisClusterPubSubAdapter<String, String> clusterListener(
      String channel, PubSubEvents events) {
    return new RedisClusterPubSubAdapter<>() {
      @Override
      public void message(RedisClusterNode node, String from, String payload) {
        if (channel.equals(from)) {
          events.onMessage(payload);
        }
      }

      @Override
      public void smessage(RedisClusterNode node, String from, String payload) {
        message(node, from, payload);
      }

      @Override
      public void subscribed(RedisClusterNode node, String subscribedChannel, long count) {
        if (channel.equals(subscribedChannel)) {
          events.onSubscribed();
        }
      }

      @Override
      public void ssubscribed(RedisClusterNode node, String subscribedChannel, long count) {
        subscribed(node, subscribedChannel, count);
      }
    };
  }
}
