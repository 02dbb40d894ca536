package io.sessionbroker.benchmark;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.HashMap;
import java.util.Map;

/** Reads what Redis says about itself: INFO sections, command statistics, key memory. */
final class RedisProbe implements AutoCloseable {

  /** Calls and server-side microseconds of one command, as INFO commandstats counts them. */
  record CommandStat(long calls, long usec) {
    CommandStat minus(CommandStat other) {
      return new CommandStat(calls - other.calls, usec - other.usec);
    }
  }

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;

  RedisProbe(String uri) {
    client = RedisClient.create(uri);
    connection = client.connect();
    redis = connection.sync();
  }

  RedisCommands<String, String> commands() {
    return redis;
  }

  /** One INFO section as key/value pairs. */
  Map<String, String> info(String section) {
    Map<String, String> values = new HashMap<>();
    for (String line : redis.info(section).split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        values.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return values;
  }

  long usedMemory() {
    return Long.parseLong(info("memory").get("used_memory"));
  }

  /**
   * {total_net_input_bytes, total_net_output_bytes, total_reads_processed} so far. Reads processed
   * counts socket reads: a pipeline arrives in one, so per operation it tells the round trips the
   * clients waited for.
   */
  long[] networkBytes() {
    Map<String, String> stats = info("stats");
    return new long[] {
      Long.parseLong(stats.get("total_net_input_bytes")),
      Long.parseLong(stats.get("total_net_output_bytes")),
      Long.parseLong(stats.getOrDefault("total_reads_processed", "0"))
    };
  }

  long pid() {
    return Long.parseLong(info("server").get("process_id"));
  }

  String version() {
    return info("server").get("redis_version");
  }

  /** Per command (lower case, e.g. {@code evalsha}) calls and time so far. */
  Map<String, CommandStat> commandStats() {
    Map<String, CommandStat> stats = new HashMap<>();
    info("commandstats")
        .forEach(
            (key, value) -> {
              if (!key.startsWith("cmdstat_")) {
                return;
              }
              long calls = 0;
              long usec = 0;
              for (String part : value.split(",")) {
                if (part.startsWith("calls=")) {
                  calls = Long.parseLong(part.substring(6));
                } else if (part.startsWith("usec=")) {
                  usec = Long.parseLong(part.substring(5));
                }
              }
              stats.put(key.substring("cmdstat_".length()), new CommandStat(calls, usec));
            });
    return stats;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
