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
}
