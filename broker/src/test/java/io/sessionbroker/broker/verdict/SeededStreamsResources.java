package io.sessionbroker.broker.verdict;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A {@code redis-server} whose revocation streams already hold events when the broker starts, as
 * after a restart or for a second replica, and an in-test issuer {@code test}:
 *
 * <ul>
 *   <li>{@value #RECENT_SID} revoked a minute ago in the stream of {@value #UNREGISTERED_CLIENT}, a
 *       client that never registered a session and is in no allow-list (found by SCAN);
 *   <li>{@value #STALE_SID} revoked two hours ago, before the window of one hour.
 * </ul>
 */
public class SeededStreamsResources implements QuarkusTestResourceLifecycleManager {

  static final String UNREGISTERED_CLIENT = "unregistered-spa";
  static final String RECENT_SID = "sid-revoked-before-start";
  static final String STALE_SID = "sid-revoked-long-ago";

  private RedisServer redis;
  private TestIssuer issuer;

  @Override
  public Map<String, String> start() {
    redis = RedisServer.start();
    issuer = TestIssuer.start("test");
    Instant now = Instant.now();
    append(now.minus(Duration.ofHours(2)), STALE_SID);
    append(now.minus(Duration.ofMinutes(1)), RECENT_SID);
    return Map.of(
        "quarkus.redis.hosts", redis.uri(),
        "session-broker.issuers.test.url", issuer.url(),
        "session-broker.verdict.max-token-lifetime", "1h");
  }

  private void append(Instant at, String sid) {
    String stream = "sb:events:test:" + UNREGISTERED_CLIENT;
    String json =
        "{\"v\":1,\"id\":\""
            + at.toEpochMilli()
            + "-0\",\"type\":\"session.revoked\",\"reason\":\"backchannel_logout\","
            + "\"issuer\":\"test\",\"clientId\":\""
            + UNREGISTERED_CLIENT
            + "\",\"sid\":\""
            + sid
            + "\",\"sub\":\"someone\",\"sessionIds\":[],\"at\":\""
            + at
            + "\"}";
    String reply =
        redis.command("XADD " + stream + " " + at.toEpochMilli() + "-0 event '" + json + "'");
    if (reply == null || !reply.startsWith("$")) {
      throw new IllegalStateException("seeding the stream failed: " + reply);
    }
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        redis,
        new TestInjector.AnnotatedAndMatchesType(
            io.sessionbroker.broker.testing.InjectRedis.class, RedisServer.class));
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
