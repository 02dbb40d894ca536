package io.sessionbroker.broker.outbox;

import io.sessionbroker.testsupport.RedisServer;
import java.util.List;

/**
 * A broker whose Redis user may not touch the event streams of clients named {@code forbidden-*}
 * (its ACL allows the streams of {@code ok-*} clients and every non-stream key): Redis refuses
 * those appends for good with {@code NOPERM}, as after an ACL change. Redis keeps its data on disk
 * so it can be stopped and restarted mid-test; the test's own connections use the default user.
 */
public class AclTestResources extends PersistentRedisTestResources {

  /** The outbox folder of the broker under test, relative to the module. */
  static String outboxDirectory(int redisPort) {
    return "target/outbox-acl-" + redisPort;
  }

  @Override
  List<String> redisArguments() {
    return List.of(
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--user",
        "broker",
        "on",
        ">broker-pw",
        "~sb:[^e]*",
        "~sb:events:test:ok-*",
        "~{sb:events:test:ok-*",
        "&*",
        "+@all");
  }

  @Override
  String brokerRedisUri(RedisServer redis) {
    return "redis://broker:broker-pw@127.0.0.1:" + redis.port();
  }

  @Override
  String outboxDirectoryOf(int redisPort) {
    return outboxDirectory(redisPort);
  }
}
