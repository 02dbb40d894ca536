package io.sessionbroker.benchmark;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.sessionbroker.broker.store.RedisKeys;
import io.sessionbroker.testsupport.RedisServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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

  private static final String ALIAS = Benchmark.ALIAS;

  /** Sid hashes measured with MEMORY USAGE; the mean stands for all. */
  private static final int SAMPLED_SID_HASHES = 1000;

  private RegistryMemory() {}

  /** Entry point; the only argument is the number of SSO sessions. */
  public static void main(String[] args) throws Exception {
    int ssoSessions = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    Dataset dataset = new Dataset(ssoSessions);
    try (RedisServer redis = RedisServer.start();
        RedisProbe probe = new RedisProbe(redis.uri())) {
      long before = probe.usedMemory();
      long started = System.nanoTime();
      long written = new RegistryLoader(redis.uri(), ALIAS).load(dataset, Duration.ofHours(10), 2);
      double seconds = (System.nanoTime() - started) / 1e9;
      Results.Memory memory =
          breakdown(probe, dataset, written, seconds, before, probe.usedMemory());
      double registrations = written;
      System.out.printf(
          "Redis %s: %,d SSO sessions, %,d registrations loaded in %.1f s, %,d keys%n",
          probe.version(), ssoSessions, written, seconds, memory.keysAfter());
      System.out.printf(
          "used_memory grew %,d B: %.1f B per registration%n",
          memory.usedMemoryAfter() - memory.usedMemoryBefore(), memory.bytesPerRegistration());
      double sidHashes = memory.sidHashBytes() * ssoSessions / registrations;
      double clientIndex = memory.clientIndexBytes() / registrations;
      double userIndex = memory.userIndexBytes() / registrations;
      System.out.printf(
          "  sid hashes      %6.1f B/registration (MEMORY USAGE, %d sampled)%n",
          sidHashes, SAMPLED_SID_HASHES);
      System.out.printf("  client index    %6.1f B/registration%n", clientIndex);
      System.out.printf("  user index      %6.1f B/registration%n", userIndex);
      System.out.printf(
          "  rest            %6.1f B/registration (key space and expiry tables, allocator)%n",
          memory.bytesPerRegistration() - sidHashes - clientIndex - userIndex);
      memory.encodings().forEach((what, how) -> System.out.printf("  %s: %s%n", what, how));
    }
  }

  /**
   * What a loaded registry costs Redis, by key family: {@code MEMORY USAGE} of sampled sid hashes
   * and of every client and user index bucket, with the encodings of one of each.
   *
   * @param written registrations loaded
   * @param before {@code used_memory} before the load, bytes
   * @param after {@code used_memory} after it, bytes
   */
  static Results.Memory breakdown(
      RedisProbe probe, Dataset dataset, long written, double seconds, long before, long after) {
    var commands = probe.commands();
    Random random = new Random(7);
    long sidBytes = 0;
    for (int s = 0; s < SAMPLED_SID_HASHES; s++) {
      sidBytes +=
          memoryUsage(
              probe,
              RegistryLoader.KEYS.sid(ALIAS, dataset.sid(random.nextInt(dataset.ssoSessions()))));
    }
    long clientIndex = 0;
    for (int c = 0; c < Dataset.CLIENTS; c++) {
      for (int b = 0; b < RedisKeys.CLIENT_BUCKETS; b++) {
        clientIndex +=
            memoryUsage(
                probe, RegistryLoader.KEYS.clientSessionsBucket(ALIAS, Dataset.clientId(c), b));
      }
    }
    long userIndex = 0;
    for (int b = 0; b < RedisKeys.USER_BUCKETS; b++) {
      userIndex += memoryUsage(probe, RegistryLoader.KEYS.userSessionsBucket(ALIAS, b));
    }
    Map<String, String> encodings = new LinkedHashMap<>();
    String sidKey = RegistryLoader.KEYS.sid(ALIAS, dataset.sid(0));
    String clientKey = RegistryLoader.KEYS.clientSessionsBucket(ALIAS, "app0", 0);
    String userKey = RegistryLoader.KEYS.userSessionsBucket(ALIAS, 0);
    encodings.put(
        "sid hash", commands.objectEncoding(sidKey) + ", " + commands.hlen(sidKey) + " fields");
    encodings.put(
        "client index bucket",
        commands.objectEncoding(clientKey) + ", " + commands.hlen(clientKey) + " fields");
    encodings.put(
        "user index bucket",
        commands.objectEncoding(userKey) + ", " + commands.hlen(userKey) + " fields");
    return new Results.Memory(
        dataset.ssoSessions(),
        written,
        seconds,
        before,
        after,
        commands.dbsize(),
        sidBytes / (double) SAMPLED_SID_HASHES,
        clientIndex,
        userIndex,
        encodings);
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
