package io.sessionbroker.broker.outbox;

import io.sessionbroker.testsupport.RedisServer;
import java.util.List;

/**
 * Like {@link io.sessionbroker.broker.testing.BrokerTestResources}, but Redis keeps its data on
 * disk (AOF, fsync always) so it can be stopped and restarted mid-test like a real outage, and the
 * outbox journal gets a folder of its own.
 */
public class OutageTestResources extends PersistentRedisTestResources {

  @Override
  List<String> redisArguments() {
    return List.of("--appendonly", "yes", "--appendfsync", "always");
  }

  @Override
  String brokerRedisUri(RedisServer redis) {
    return redis.uri();
  }

  @Override
  String outboxDirectoryOf(int redisPort) {
    return "target/outbox-outage-" + redisPort;
  }
}
