package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class RedisFailuresTest {

  @Test
  void whenTheConnectionIsRefusedThenRedisIsUnavailable() {
    assertThat(
            RedisFailures.isUnavailable(new CompletionException(new ConnectException("refused"))))
        .isTrue();
  }

  @Test
  void whenAReplicaRefusesWritesDuringFailoverThenRedisIsUnavailable() {
    assertThat(
            RedisFailures.isUnavailable(
                new RuntimeException("READONLY You can't write against a read only replica.")))
        .isTrue();
  }

  @Test
  void whenTheConnectionClosesUnderAWaitingCommandThenRedisIsUnavailable() {
    // What the Vert.x Redis client fails waiting commands with when Redis restarts or kills the
    // connection: its own error type, neither an IOException nor a Redis reply.
    assertThat(
            RedisFailures.isUnavailable(
                new CompletionException(
                    io.vertx.redis.client.impl.types.ErrorType.create("CONNECTION_CLOSED"))))
        .isTrue();
  }

  @Test
  void whenTheConnectionPoolQueueIsFullThenItIsTreatedAsAPassingOutage() {
    assertThat(
            RedisFailures.isUnavailable(
                new IllegalStateException("Connection pool reached max wait queue size of 24")))
        .isTrue();
  }

  @Test
  void whenTheUserLacksPermissionThenItIsNotAnOutage() {
    assertThat(
            RedisFailures.isUnavailable(
                new RuntimeException(
                    "NOPERM this user has no permissions to run the 'xadd' command")))
        .isFalse();
  }

  @Test
  void whenAScriptFailsThenItIsNotAnOutage() {
    assertThat(RedisFailures.isUnavailable(new RuntimeException("ERR Error running script")))
        .isFalse();
  }

  @Test
  void whenAPipelinedCommandMeetsAFailoverThenRedisIsUnavailable() {
    // Vert.x reports an error inside a batch as "ERR [index] <Redis error>".
    assertThat(
            RedisFailures.isUnavailable(
                new CompletionException(
                    new RuntimeException(
                        "ERR [1] READONLY You can't write against a read only replica."))))
        .isTrue();
  }

  @Test
  void whenAPipelinedCommandLacksPermissionThenItIsNotAnOutage() {
    assertThat(
            RedisFailures.isUnavailable(
                new RuntimeException(
                    "ERR [0] NOPERM this user has no permissions to access one of the keys")))
        .isFalse();
  }

  @Test
  void whenRedisIsOutOfMemoryThenItIsAPassingOutage() {
    assertThat(
            RedisFailures.isUnavailable(
                new RuntimeException("OOM command not allowed when used memory > 'maxmemory'.")))
        .isTrue();
  }
}
