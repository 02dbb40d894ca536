package io.sessionbroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.sessionbroker.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The subscriber against a real three-node Redis Cluster: sharded pub/sub ({@code SSUBSCRIBE} on
 * the node owning the channel's slot) and stream reads routed by the stream key's slot.
 */
class ClusterSubscriptionTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int[][] SLOT_RANGES = {{0, 5460}, {5461, 10922}, {10923, 16383}};

  private static final List<RedisServer> nodes = new ArrayList<>();
  private static final List<RedisClient> clients = new ArrayList<>();
  private static final List<StatefulRedisConnection<String, String>> connections =
      new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    for (int[] range : SLOT_RANGES) {
      RedisServer node =
          RedisServer.start(List.of("--cluster-enabled", "yes", "--cluster-node-timeout", "2000"));
      nodes.add(node);
      assertThat(node.command("CLUSTER ADDSLOTSRANGE " + range[0] + " " + range[1]))
          .isEqualTo("+OK");
    }
    for (RedisServer other : nodes.subList(1, nodes.size())) {
      assertThat(nodes.get(0).command("CLUSTER MEET 127.0.0.1 " + other.port())).isEqualTo("+OK");
    }
    for (RedisServer node : nodes) {
      RedisClient client = RedisClient.create(node.uri());
      clients.add(client);
      connections.add(client.connect());
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                connections.stream()
                    .allMatch(
                        c ->
                            c.sync().clusterInfo().contains("cluster_state:ok")
                                && c.sync().clusterNodes().lines().count() == 3));
  }

  @AfterAll
  static void stopCluster() {
    connections.forEach(StatefulRedisConnection::close);
    clients.forEach(RedisClient::shutdown);
    nodes.forEach(RedisServer::close);
  }

  /** The direct connection to the node that owns {@code key}'s slot. */
  private static StatefulRedisConnection<String, String> ownerOf(String key) {
    int slot = SlotHash.getSlot(key);
    for (int i = 0; i < SLOT_RANGES.length; i++) {
      if (slot >= SLOT_RANGES[i][0] && slot <= SLOT_RANGES[i][1]) {
        return connections.get(i);
      }
    }
    throw new IllegalStateException("no owner for slot " + slot);
  }

  /** As the broker does in a cluster: XADD on the stream's node, SPUBLISH on the channel's. */
  private static String revoke(SessionBrokerOptions options, ObjectNode event, boolean publish) {
    String id =
        ownerOf(options.streamKey())
            .sync()
            .xadd(options.streamKey(), Map.of("event", event.toString()));
    if (publish) {
      ObjectNode live = event.deepCopy().put("id", id);
      ownerOf(options.channel()).sync().spublish(options.channel(), live.toString());
    }
    return id;
  }

  @Test
  void whenClusterDeliversViaShardedPubSubThenEventsArriveLiveAndAfterResubscribe() {
    SessionBrokerOptions options =
        SessionBrokerOptions.builder()
            .redisUri(nodes.get(0).uri())
            .cluster(true)
            .issuerAlias("acme")
            .clientId("cluster-app")
            .maxReconnectDelay(Duration.ofMillis(300))
            .build();
    assertThat(options.shardedPubSub()).isTrue();
    String retained = revoke(options, FakeBroker.sessionRevoked("sid-retained"), false);
    RecordingListener listener = new RecordingListener();

    try (SessionBrokerClient client = SessionBrokerClient.start(options, listener)) {
      assertThat(listener.ids()).containsExactly(retained);

      String live = revoke(options, FakeBroker.sessionRevoked("sid-live"), true);
      await().atMost(WAIT).until(() -> listener.ids().size() == 2);

      // Appended but never published (as if published while the subscriber was away), then the
      // sharded subscription is dropped: the resubscription's catch-up must deliver it.
      String missed = revoke(options, FakeBroker.sessionRevoked("sid-missed"), false);
      ownerOf(options.channel()).sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());

      await()
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(listener.ids()).containsExactly(retained, live, missed));
      assertThat(client.isRevoked("sid-missed")).isTrue();
    }
  }
}
