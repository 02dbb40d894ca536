package io.sessionbroker.broker.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox's ordering and bookkeeping rules (SPEC §5) with a scripted stand-in for Redis (pure
 * logic: which revocation fails how, and when): real files, real threads, latches for the order.
 */
class RevocationRecorderTest {

  @TempDir Path dir;

  private final ObjectMapper json = new ObjectMapper().findAndRegisterModules();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  /** Applies revocations in memory; fails those named in {@link #down} as an outage would. */
  private final class ScriptedRedis implements RevocationRecorder.Applier {
    final List<String> applied = new CopyOnWriteArrayList<>();
    final Set<String> down = ConcurrentHashMap.newKeySet();

    @Override
    public void apply(PendingRevocation revocation) {
      if (down.remove(revocation.revocationId())) {
        throw new IllegalStateException(new ConnectException("Connection refused"));
      }
      applied.add(revocation.revocationId());
    }

    @Override
    public CompletionStage<Boolean> applyUnlessProcessed(
        PendingRevocation.SessionRevocation revocation) {
      apply(revocation);
      return CompletableFuture.completedFuture(true);
    }
  }

  private RevocationRecorder recorder(ScriptedRedis redis, Path directory) {
    return new RevocationRecorder(
        redis, json, metrics, directory, Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  private static PendingRevocation logout(String id) {
    return PendingRevocation.ofSid(
        "test", "sid-" + id, "sub", "app", Reason.BACKCHANNEL_LOGOUT, id, null);
  }

  @Test
  void whenALogoutArrivesWhileAnOlderOneIsBeingJournaledThenItDoesNotOvertakeIt() throws Exception {
    ScriptedRedis redis = new ScriptedRedis();
    RevocationRecorder recorder = recorder(redis, dir);
    redis.down.add("older");
    CountDownLatch olderJournaling = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    recorder.beforeJournaling =
        revocation -> {
          if (revocation.revocationId().equals("older")) {
            olderJournaling.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };

    Thread older = new Thread(() -> recorder.record(logout("older")));
    older.start();
    assertThat(olderJournaling.await(10, TimeUnit.SECONDS)).isTrue();
    // Redis answers again, and a newer logout arrives before the older one is in the journal.
    Thread newer = new Thread(() -> recorder.record(logout("newer")));
    newer.start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> newer.getState() == Thread.State.BLOCKED || !newer.isAlive());
    release.countDown();
    older.join(10_000);
    newer.join(10_000);
    recorder.replay();

    assertThat(redis.applied).containsExactly("older", "newer");
    assertThat(recorder.hasPending()).isFalse();
  }

  @Test
  void whenAJournalLineIsUnreadableThenItIsMovedAsideAndTheLinesAfterItAreReplayed()
      throws Exception {
    Files.writeString(
        dir.resolve("revocations.journal"),
        json.writeValueAsString(logout("first"))
            + "\n{\"kind\":\"SID\",\u0000garbage\n"
            + json.writeValueAsString(logout("third"))
            + "\n");
    ScriptedRedis redis = new ScriptedRedis();
    RevocationRecorder recorder = recorder(redis, dir);

    recorder.replay();

    assertThat(redis.applied).containsExactly("first", "third");
    assertThat(recorder.deadLetterCount()).isEqualTo(1);
    assertThat(metrics.counter("sessionbroker.outbox.dead.letters").count()).isEqualTo(1.0);
    assertThat(Files.readString(recorder.deadLetterFile())).contains("unreadable journal line");
    assertThat(recorder.hasPending()).isFalse();
    assertThat(recorder.journaledCount()).isZero();
  }

  @Test
  void whenAJournalLineLacksAFieldItsKindRequiresThenItIsDeadLetteredVerbatimAndTheRestReplayed()
      throws Exception {
    String withoutSid =
        "{\"kind\":\"SID\",\"issuer\":\"test\",\"sub\":\"sub\",\"audience\":\"app\","
            + "\"reason\":\"BACKCHANNEL_LOGOUT\",\"revocationId\":\"second\",\"jti\":\"second\"}";
    Files.writeString(
        dir.resolve("revocations.journal"),
        json.writeValueAsString(logout("first"))
            + "\n"
            + withoutSid
            + "\n"
            + json.writeValueAsString(logout("third"))
            + "\n");
    ScriptedRedis redis = new ScriptedRedis();
    RevocationRecorder recorder = recorder(redis, dir);

    recorder.replay();

    assertThat(redis.applied).containsExactly("first", "third");
    assertThat(recorder.deadLetterCount()).isEqualTo(1);
    JsonNode deadLetter = json.readTree(Files.readString(recorder.deadLetterFile()));
    assertThat(deadLetter.get("line").asText()).isEqualTo(withoutSid);
    assertThat(deadLetter.get("error").asText())
        .startsWith("unreadable journal line: ")
        .contains("a revocation of kind SID needs a sid");
    assertThat(recorder.hasPending()).isFalse();
  }

  @Test
  void whenReplayStopsAtAnOutageThenOnlyTheRestIsReplayedLater() throws Exception {
    ScriptedRedis redis = new ScriptedRedis();
    RevocationRecorder recorder = recorder(redis, dir);
    redis.down.add("one");
    recorder.record(logout("one"));
    recorder.record(logout("two"));
    recorder.record(logout("three"));
    assertThat(recorder.journaledCount()).isEqualTo(3);

    redis.down.add("two");
    recorder.replay();
    assertThat(redis.applied).containsExactly("one");
    assertThat(recorder.journaledCount()).isEqualTo(2);

    RevocationRecorder restarted = recorder(redis, dir);
    assertThat(restarted.journaledCount()).isEqualTo(2);
    restarted.replay();
    assertThat(redis.applied).containsExactly("one", "two", "three");
    assertThat(restarted.hasPending()).isFalse();
  }

  @Test
  void whenTheJournalCannotBeOpenedThenTheBrokerStartsAndRefusesOnlyWhileRedisIsDown()
      throws Exception {
    Path notAFolder = Files.writeString(dir.resolve("occupied"), "a file where the folder goes");
    ScriptedRedis redis = new ScriptedRedis();
    RevocationRecorder recorder = recorder(redis, notAFolder);

    assertThat(recorder.journalUsable()).isFalse();
    recorder.record(logout("up"));
    redis.down.add("down");
    assertThatThrownBy(() -> recorder.record(logout("down")))
        .isInstanceOf(OutboxUnavailableException.class);
    assertThat(redis.applied).containsExactly("up");
  }
}
