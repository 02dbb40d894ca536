package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParseException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  /** The replies (as Redis 7 words them) with which Redis says "not now, retry later". */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "LOADING Redis is loading the dataset in memory",
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        "NOREPLICAS Not enough good replicas to write.",
        "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist"
            + " to disk.",
        "CLUSTERDOWN The cluster is down",
        "TRYAGAIN Multiple keys request during rehashing of slot",
        "ERR [0] MISCONF Redis is configured to save RDB snapshots"
      })
  void whenRedisCannotTakeTheWriteForNowThenItIsAPassingOutage(String reply) {
    assertThat(RedisFailures.isUnavailable(new RuntimeException(reply))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "WRONGTYPE Operation against a key holding the wrong kind of value",
        "NOSCRIPT No matching script. Please use EVAL.",
        "CROSSSLOT Keys in request don't hash to the same slot",
        "BUSYKEY Target key name already exists."
      })
  void whenTheCommandItselfIsWrongThenItIsNotAnOutage(String reply) {
    assertThat(RedisFailures.isUnavailable(new RuntimeException(reply))).isFalse();
  }

  @Test
  void whenAStoredValueIsNotJsonThenItIsADefectNotAnOutage() {
    // Jackson's JsonProcessingException is an IOException; reading a value is not a connection.
    assertThat(
            RedisFailures.isUnavailable(
                new IllegalStateException(
                    "A stored event is not JSON",
                    new JsonParseException(null, "Unrecognized token 'not'"))))
        .isFalse();
  }

  @Test
  void whenTheConnectionIsResetOrItsChannelClosedThenRedisIsUnavailable() {
    assertThat(RedisFailures.isUnavailable(new SocketException("Connection reset"))).isTrue();
    assertThat(RedisFailures.isUnavailable(new CompletionException(new ClosedChannelException())))
        .isTrue();
  }

  @Test
  void whenAnyOtherIoFailureReachesTheCommandThenRedisIsUnavailable() {
    // The safe side: an I/O failure nobody listed (TLS to Redis cut mid-handshake, a stream closed
    // under the client) is retried or journaled, never answered as a defect that Keycloak would not
    // resend.
    assertThat(
            RedisFailures.isUnavailable(
                new CompletionException(new SSLException("Remote host terminated the handshake"))))
        .isTrue();
    assertThat(RedisFailures.isUnavailable(new IOException("Stream closed"))).isTrue();
  }
}
