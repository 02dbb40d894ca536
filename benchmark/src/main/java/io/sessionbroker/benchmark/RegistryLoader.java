package io.sessionbroker.benchmark;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.sessionbroker.broker.store.LuaScript;
import io.sessionbroker.broker.store.RedisKeys;
import io.sessionbroker.broker.store.RegistryScriptArguments;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fills Redis with the {@link Dataset} fast: the broker's own Lua scripts ({@code register.lua},
 * {@code index_put.lua}, as the broker runs them: {@link LuaScript#source}) run with pipelined
 * EVALSHA on the keys the broker's {@code RedisKeys} names, with the arguments the broker's
 * registration passes ({@code RedisRegistrations}, in the broker's store package). The API path
 * would take minutes for a million sessions; the result is the same Redis content (the harness
 * checks it through the API afterwards). Differences: the commands of many registrations are
 * pipelined (the index entries may land before their sid hash, which nothing reads meanwhile), the
 * user index entry is written once per SSO session instead of once per registration (the repeats
 * are idempotent HSETs), and the "revoked before" markers are not read (none exist).
 */
final class RegistryLoader {

  /**
   * The broker's own key names ({@code session-broker.redis.key-prefix} default {@code sb}): the
   * benchmark loads exactly what the broker would have written.
   */
  static final RedisKeys KEYS = new RedisKeys("sb");

  private static final int BATCH_SSO_SESSIONS = 500;

  private final String redisUri;
  private final String alias;

  /** register.lua's cap on registrations per sid: the broker's default, far above the dataset's. */
  private static final int MAX_PER_SID = 100;

  private final String registerSource;
  private final String indexPutSource;

  RegistryLoader(String redisUri, String alias) {
    this.redisUri = redisUri;
    this.alias = alias;
    this.registerSource = LuaScript.source("register");
    this.indexPutSource = LuaScript.source("index_put");
  }

  /**
   * Loads SSO sessions {@code [0, dataset.ssoSessions())} with {@code threads} pipelined
   * connections.
   *
   * @return registrations written
   */
  long load(Dataset dataset, Duration ttl, int threads) throws InterruptedException {
    RedisClient client = RedisClient.create(redisUri);
    try {
      AtomicInteger nextBatch = new AtomicInteger();
      long[] written = new long[threads];
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int worker = t;
        Thread thread =
            new Thread(
                () -> written[worker] = loadBatches(client, dataset, ttl, nextBatch),
                "loader-" + t);
        workers.add(thread);
        thread.start();
      }
      long total = 0;
      for (int t = 0; t < threads; t++) {
        workers.get(t).join();
        total += written[t];
      }
      return total;
    } finally {
      client.shutdown();
    }
  }

  private long loadBatches(
      RedisClient client, Dataset dataset, Duration ttl, AtomicInteger nextBatch) {
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisAsyncCommands<String, String> redis = connection.async();
      String registerSha = connection.sync().scriptLoad(registerSource);
      String indexPutSha = connection.sync().scriptLoad(indexPutSource);
      for (int c = 0; c < Dataset.CLIENTS; c++) {
        connection.sync().sadd(KEYS.clients(alias), Dataset.clientId(c));
      }
      connection.setAutoFlushCommands(false);
      long written = 0;
      while (true) {
        int from = nextBatch.getAndIncrement() * BATCH_SSO_SESSIONS;
        if (from >= dataset.ssoSessions()) {
          return written;
        }
        int to = Math.min(dataset.ssoSessions(), from + BATCH_SSO_SESSIONS);
        long now = System.currentTimeMillis();
        long expiresMs = now + ttl.toMillis();
        List<RedisFuture<?>> replies = new ArrayList<>();
        for (int i = from; i < to; i++) {
          String sid = dataset.sid(i);
          String sub = dataset.sub(i);
          for (int k = 0; k < dataset.clientCount(i); k++) {
            String clientId = dataset.client(i, k);
            String sessionId = dataset.sessionId(i, k);
            replies.add(
                redis.evalsha(
                    indexPutSha,
                    ScriptOutputType.INTEGER,
                    new String[] {KEYS.clientSessions(alias, clientId, sessionId)},
                    args(RegistryScriptArguments.clientIndexPut(sessionId, sid, expiresMs, now))));
            if (k == 0) {
              replies.add(
                  redis.evalsha(
                      indexPutSha,
                      ScriptOutputType.INTEGER,
                      new String[] {KEYS.userSessions(alias, sub)},
                      args(RegistryScriptArguments.userIndexPut(sid, sub, expiresMs, now))));
            }
            replies.add(
                redis.evalsha(
                    registerSha,
                    ScriptOutputType.MULTI,
                    new String[] {KEYS.sid(alias, sid)},
                    args(
                        RegistryScriptArguments.register(
                            clientId, sessionId, sub, now, expiresMs, null, true, MAX_PER_SID))));
            written++;
          }
        }
        connection.flushCommands();
        if (!LettuceFutures.awaitAll(60, TimeUnit.SECONDS, replies.toArray(RedisFuture[]::new))) {
          throw new IllegalStateException("Redis did not answer a load batch in time");
        }
        for (RedisFuture<?> reply : replies) {
          if (reply.getError() != null) {
            throw new IllegalStateException("A load command failed: " + reply.getError());
          }
        }
      }
    }
  }

  private static String[] args(List<String> arguments) {
    return arguments.toArray(String[]::new);
  }
}
