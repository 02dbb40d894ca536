package io.sessionbroker.broker.outbox;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.List;
import java.util.Map;

/**
 * A broker whose Redis user may not touch the event streams of clients named {@code forbidden-*}
 * (its ACL allows the streams of {@code ok-*} clients and every non-stream key): Redis refuses
 * those appends for good with {@code NOPERM}, as after an ACL change. Redis keeps its data on disk
 * so it can be stopped and restarted mid-test; the test's own connections use the default user.
 */
public class AclTestResources implements QuarkusTestResourceLifecycleManager {

  /** The outbox folder of the broker under test, relative to the module. */
  static String outboxDirectory(int redisPort) {
    return "target/outbox-acl-" + redisPort;
  }

  private RedisServer redis;
  private TestIssuer issuer;

  @Override
  public Map<String, String> start() {
    redis =
        RedisServer.start(
            List.of(
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
                "+@all"));
    issuer = TestIssuer.start("test");
    return Map.of(
        "quarkus.redis.hosts",
        "redis://broker:broker-pw@127.0.0.1:" + redis.port(),
        "session-broker.issuers.test.url",
        issuer.url(),
        "session-broker.outbox.directory",
        outboxDirectory(redis.port()),
        "session-broker.outbox.replay-interval",
        "200ms",
        "quarkus.redis.timeout",
        "1s");
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        redis, new TestInjector.AnnotatedAndMatchesType(InjectRedis.class, RedisServer.class));
    injector.injectIntoFields(
        issuer, new TestInjector.AnnotatedAndMatchesType(InjectTestIssuer.class, TestIssuer.class));
  }

  @Override
  public void stop() {
    if (redis != null) {
      redis.close();
    }
    if (issuer != null) {
      issuer.close();
    }
  }
}
