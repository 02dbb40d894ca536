package io.sessionbroker.benchmark;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.sessionbroker.broker.store.RedisKeys;
import io.sessionbroker.testsupport.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * Only the registry memory part of the benchmark, in about a minute: starts redis-server, loads the
 * {@link Dataset} with {@link RegistryLoader} (the broker's own Lua scripts and key names, as the
 * full run does) and prints Redis' {@code used_memory} growth per registration, split by key family
 * with {@code MEMORY USAGE}.
 *
 * <p>From the repository root, after {@code ./mvnw -o -B -q package -DskipTests -pl
 * broker,benchmark -am}: {@code java -cp "benchmark/target/classes:$(cat
 * benchmark/target/benchmark.classpath)" io.sessionbroker.benchmark.RegistryMemory [ssoSessions]}
 * (default 500,000 SSO sessions, about 1,000,000 registrations).
 */
final class RegistryMemory {

  private static final String ALIAS = "bench";

  private RegistryMemory() {}

  /** Entry point; the only argument is the number of SSO sessions. */
  public static void main(String[] args) throws Exception {
    int ssoSessions = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    Path quarkusApp = Path.of("broker", "target", "quarkus-app");
    if (!Files.exists(quarkusApp.resolve("quarkus-run.jar"))) {
      System.err.println("Run from the repository root after packaging the broker");
      System.exit(2);
    }
    Dataset dataset = new Dataset(ssoSessions);
    try (RedisServer redis = RedisServer.start();
        RedisProbe probe = new RedisProbe(redis.uri())) {
      long before = probe.usedMemory();
      long started = System.nanoTime();
      long written =
          new RegistryLoader(redis.uri(), ALIAS, quarkusApp).load(dataset, Duration.ofHours(10), 2);
      double seconds = (System.nanoTime() - started) / 1e9;
      long grown = probe.usedMemory() - before;
      var commands = probe.commands();
      long keys = commands.dbsize();

      Random random = new Random(7);
      int sampled = 2000;
      long sidSample = 0;
      for (int s = 0; s < sampled; s++) {
        sidSample +=
            memoryUsage(
                probe, RegistryLoader.KEYS.sid(ALIAS, dataset.sid(random.nextInt(ssoSessions))));
      }
      long sidBytes = sidSample * ssoSessions / sampled;
      long clientIndex = 0;
      int clientBuckets = 0;
      for (int c = 0; c < Dataset.CLIENTS; c++) {
        for (int b = 0; b < RedisKeys.CLIENT_BUCKETS; b++) {
          long bytes =
              memoryUsage(
                  probe, RegistryLoader.KEYS.clientSessionsBucket(ALIAS, Dataset.clientId(c), b));
          clientIndex += bytes;
          clientBuckets += bytes > 0 ? 1 : 0;
        }
      }
      long userIndex = 0;
      int userBuckets = 0;
      for (int b = 0; b < RedisKeys.USER_BUCKETS; b++) {
        long bytes = memoryUsage(probe, RegistryLoader.KEYS.userSessionsBucket(ALIAS, b));
        userIndex += bytes;
        userBuckets += bytes > 0 ? 1 : 0;
      }
      String clientKey = RegistryLoader.KEYS.clientSessionsBucket(ALIAS, "app0", 0);
      String userKey = RegistryLoader.KEYS.userSessionsBucket(ALIAS, 0);
      String sidKey = RegistryLoader.KEYS.sid(ALIAS, dataset.sid(0));
      double perRegistration = grown / (double) written;
      System.out.printf(
          "Redis %s: %,d SSO sessions, %,d registrations loaded in %.1f s, %,d keys%n",
          probe.version(), ssoSessions, written, seconds, keys);
      System.out.printf(
          "used_memory grew %,d B: %.1f B per registration%n", grown, perRegistration);
      System.out.printf(
          "  sid hashes      %6.1f B/registration (MEMORY USAGE, %d sampled; %s, %d fields for"
              + " sid 0)%n",
          sidBytes / (double) written,
          sampled,
          commands.objectEncoding(sidKey),
          commands.hlen(sidKey));
      System.out.printf(
          "  client index    %6.1f B/registration (%d buckets; %s, %d fields in app0/0)%n",
          clientIndex / (double) written,
          clientBuckets,
          commands.objectEncoding(clientKey),
          commands.hlen(clientKey));
      System.out.printf(
          "  user index      %6.1f B/registration (%d buckets; %s, %d fields in bucket 0)%n",
          userIndex / (double) written,
          userBuckets,
          commands.objectEncoding(userKey),
          commands.hlen(userKey));
      System.out.printf(
          "  rest            %6.1f B/registration (key space and expiry tables, allocator)%n",
          (grown - sidBytes - clientIndex - userIndex) / (double) written);
    }
  }

  private static long memoryUsage(RedisProbe probe, String key) {
    Long bytes =
        probe
            .commands()
            .dispatch(
                CommandType.MEMORY,
                new IntegerOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("USAGE").addKey(key).add("SAMPLES").add(0));
    return bytes == null ? 0 : bytes;
  }
}
