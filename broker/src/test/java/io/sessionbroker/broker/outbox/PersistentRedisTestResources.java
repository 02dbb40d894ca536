package io.sessionbroker.broker.outbox;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A broker on a Redis that keeps its data on disk (the arguments of {@link #redisArguments()}), so
 * it can be stopped and restarted mid-test like a real outage, with one test issuer ({@code test}),
 * an outbox journal in a folder of its own, a 200 ms replay interval and a 1 s Redis timeout. The
 * Redis server and the issuer are injected into fields marked {@link InjectRedis} and {@link
 * InjectTestIssuer}.
 */
abstract class PersistentRedisTestResources implements QuarkusTestResourceLifecycleManager {

  private RedisServer redis;
  private TestIssuer issuer;

  /** The redis-server arguments: AOF with fsync always, and whatever else the subclass needs. */
  abstract List<String> redisArguments();

  /** The broker's {@code quarkus.redis.hosts} URI for the started Redis. */
  abstract String brokerRedisUri(RedisServer redis);

  /** The outbox folder of the broker under test, relative to the module. */
  abstract String outboxDirectoryOf(int redisPort);

  @Override
  public Map<String, String> start() {
    redis = RedisServer.start(redisArguments());
    issuer = TestIssuer.start("test");
    return Map.of(
        "quarkus.redis.hosts",
        brokerRedisUri(redis),
        "session-broker.issuers.test.url",
        issuer.url(),
        "session-broker.outbox.directory",
        outboxDirectoryOf(redis.port()),
        "session-broker.outbox.replay-interval",
        "200ms",
        "quarkus.redis.timeout",
        "1s");
  }

  /**
   * Makes {@code lines} the whole journal the broker of {@code config} (what {@link #start()}
   * returned) finds at start, as an earlier broker left it: no checkpoint, no dead letters.
   */
  static void leaveJournal(Map<String, String> config, List<String> lines) {
    Path directory = Path.of(config.get("session-broker.outbox.directory"));
    try {
      Files.createDirectories(directory);
      for (String leftOver :
          List.of("revocations.checkpoint", DeadLetterFile.FILE_NAME, "revocations.journal")) {
        Files.deleteIfExists(directory.resolve(leftOver));
      }
      Files.writeString(directory.resolve("revocations.journal"), String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
