package io.sessionbroker.broker.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.logout.ProcessedTokens;
import io.sessionbroker.broker.session.RevocationService;
import io.sessionbroker.broker.store.RedisFailures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Records accepted revocations so none is lost (SPEC §5). Normally a revocation goes straight to
 * Redis. When Redis is unreachable it is appended to a local journal (forced to disk) and the
 * logout is still acknowledged; a background task replays the journal in order once Redis is back.
 * While the journal holds anything, new revocations queue behind it to keep the order. Only when
 * the journal cannot be written either does recording fail.
 */
@ApplicationScoped
public class RevocationRecorder {

  private static final Logger LOG = Logger.getLogger(RevocationRecorder.class);
  private static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(10);

  private final RevocationService revocations;
  private final ProcessedTokens processedTokens;
  private final ObjectMapper json;
  private final Path directory;
  private final Duration replayInterval;
  private final Duration jtiRetention;
  private final AtomicLong journaled = new AtomicLong();
  private volatile RevocationJournal journal;
  private ScheduledExecutorService replayer;

  RevocationRecorder(
      RevocationService revocations,
      ProcessedTokens processedTokens,
      ObjectMapper json,
      MeterRegistry metrics,
      SessionBrokerConfig config) {
    this.revocations = revocations;
    this.processedTokens = processedTokens;
    this.json = json;
    this.directory = Path.of(config.outbox().directory());
    this.replayInterval = config.outbox().replayInterval();
    this.jtiRetention =
        config.logout().maxTokenAge().plus(config.logout().clockSkew().multipliedBy(2));
    metrics.gauge("sessionbroker.outbox.journaled", journaled);
  }

  void start(@Observes StartupEvent startup) {
    try {
      journal = new RevocationJournal(directory);
      int waiting = journal.pending().lines().size();
      journaled.set(waiting);
      if (waiting > 0) {
        LOG.warnf("%d journaled revocations from before the restart will be replayed", waiting);
      }
    } catch (IOException e) {
      // Still serve: revocations go straight to Redis, and 503 if Redis fails too.
      LOG.errorf(
          "Revocation journal unusable at %s (%s): logouts will be refused while Redis is down",
          directory.toAbsolutePath(), e.toString());
    }
    replayer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "revocation-outbox-replay");
              thread.setDaemon(true);
              return thread;
            });
    long period = replayInterval.toMillis();
    replayer.scheduleWithFixedDelay(this::replaySafely, 0, period, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent shutdown) {
    if (replayer != null) {
      replayer.shutdownNow();
    }
    drainBeforeShutdown();
    if (journal != null) {
      try {
        journal.close();
      } catch (IOException e) {
        LOG.warnf("Closing the revocation journal failed: %s", e.toString());
      }
    }
  }

  /**
   * Records a revocation: in Redis now, or durably in the journal for replay.
   *
   * @throws OutboxUnavailableException when neither worked
   */
  public void record(PendingRevocation revocation) {
    record(
        revocation,
        r -> {
          apply(r);
          return true;
        });
  }

  /**
   * {@link #record} for a back-channel logout of one SSO session ({@link
   * PendingRevocation.Kind#SID} with a jti) that also tells a replay, with the replay guard folded
   * into the revocation's round trips (see {@link RevocationService#revokeSidOnce}).
   *
   * @return false when Redis knew the token as processed: nothing new was recorded
   * @throws OutboxUnavailableException when neither Redis nor the journal worked
   */
  public boolean recordUnlessProcessed(PendingRevocation revocation) {
    if (revocation.kind() != PendingRevocation.Kind.SID || revocation.jti() == null) {
      throw new IllegalArgumentException("only a token's logout of one SSO session");
    }
    return record(
        revocation,
        r ->
            revocations
                .revokeSidOnce(
                    r.issuer(),
                    r.sid(),
                    r.sub(),
                    r.audience(),
                    r.reason(),
                    r.revocationId(),
                    r.notBefore(),
                    r.jti(),
                    jtiRetention)
                .isPresent());
  }

  private boolean record(
      PendingRevocation revocation, Predicate<PendingRevocation> appliedInRedis) {
    RevocationJournal current = journal;
    try {
      if (current == null || !current.hasPending()) {
        try {
          return appliedInRedis.test(revocation);
        } catch (RuntimeException e) {
          if (!RedisFailures.isUnavailable(e) || current == null) {
            throw e;
          }
          LOG.warnf("Redis unavailable (%s): journaling the revocation for replay", e.toString());
        }
      }
      current.append(json.writeValueAsString(revocation));
      journaled.incrementAndGet();
      return true;
    } catch (IOException e) {
      throw new OutboxUnavailableException("the revocation journal cannot be written", e);
    }
  }

  /** Whether revocations wait in the journal (Redis was unreachable). */
  public boolean hasPending() {
    RevocationJournal current = journal;
    try {
      return current != null && current.hasPending();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the journal can take revocations. */
  public boolean journalUsable() {
    return journal != null;
  }

  private void apply(PendingRevocation revocation) {
    switch (revocation.kind()) {
      case SID ->
          revocations.revokeSid(
              revocation.issuer(),
              revocation.sid(),
              revocation.sub(),
              revocation.audience(),
              revocation.reason(),
              revocation.revocationId(),
              revocation.notBefore());
      case USER ->
          revocations.revokeUser(
              revocation.issuer(),
              revocation.sub(),
              revocation.audience(),
              revocation.reason(),
              revocation.revocationId(),
              revocation.notBefore());
      case CLIENT ->
          revocations.revokeClient(
              revocation.issuer(),
              revocation.clientId(),
              revocation.notBefore(),
              revocation.reason(),
              revocation.revocationId());
    }
    if (revocation.jti() != null) {
      processedTokens.markProcessed(revocation.issuer(), revocation.jti(), jtiRetention);
    }
  }

  /** Replays journaled revocations in order; stops at the first Redis failure. */
  void replay() throws IOException {
    RevocationJournal current = journal;
    if (current == null || !current.hasPending()) {
      return;
    }
    RevocationJournal.Batch batch = current.pending();
    int applied = 0;
    for (String line : batch.lines()) {
      PendingRevocation revocation;
      try {
        revocation = json.readValue(line, PendingRevocation.class);
      } catch (JsonProcessingException e) {
        LOG.errorf("Skipping an unreadable journal line: %s", e.getOriginalMessage());
        applied++;
        continue;
      }
      apply(revocation);
      applied++;
    }
    current.markDone(batch.endOffset());
    journaled.addAndGet(-applied);
    if (applied > 0) {
      LOG.infof("Replayed %d journaled revocations into Redis", applied);
    }
  }

  /**
   * A pod may be deleted (rollout, scale-in, node drain) while its journal holds revocations, and
   * an emptyDir journal dies with the pod: give Redis a last bounded chance, and say loudly what is
   * left otherwise.
   */
  private void drainBeforeShutdown() {
    long deadline = System.nanoTime() + SHUTDOWN_DRAIN.toNanos();
    while (hasPendingQuietly() && System.nanoTime() < deadline) {
      replaySafely();
      if (hasPendingQuietly()) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (hasPendingQuietly()) {
      LOG.errorf(
          "Shutting down with %d revocations still journaled in %s: they reach Redis only if this"
              + " folder survives and a broker starts on it again",
          journaled.get(), directory.toAbsolutePath());
    }
  }

  private boolean hasPendingQuietly() {
    try {
      return hasPending();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void replaySafely() {
    try {
      replay();
    } catch (RuntimeException | IOException e) {
      LOG.debugf("Journal replay postponed: %s", e.toString());
    }
  }
}
