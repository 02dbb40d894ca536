package io.sessionbroker.broker.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.logout.ProcessedTokens;
import io.sessionbroker.broker.outbox.PendingRevocation.ClientRevocation;
import io.sessionbroker.broker.outbox.PendingRevocation.OwedEvents;
import io.sessionbroker.broker.outbox.PendingRevocation.SessionRevocation;
import io.sessionbroker.broker.outbox.PendingRevocation.UserRevocation;
import io.sessionbroker.broker.session.EventLog;
import io.sessionbroker.broker.session.EventLog.ProcessedJti;
import io.sessionbroker.broker.session.EventsNotAppendedException;
import io.sessionbroker.broker.session.RevocationService;
import io.sessionbroker.broker.store.RedisFailures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Records accepted revocations so none is lost (SPEC §5). Normally a revocation goes straight to
 * Redis. When Redis is unreachable it is appended to a local journal (forced to disk) and the
 * logout is still acknowledged; a background task replays the journal in order once Redis is back.
 * Only when the journal cannot be written either does recording fail ({@link
 * OutboxUnavailableException}, answered 503).
 *
 * <p>Order: the choice between Redis and the journal, and every append, happen under one lock, and
 * once a revocation has gone to the journal every later one follows it there until the journal is
 * drained, so none overtakes an older journaled one.
 *
 * <p>What the direct path leaves half done (registrations revoked, events not appended: {@link
 * EventsNotAppendedException}) is journaled as the events still owed ({@link
 * PendingRevocation.OwedEvents}).
 *
 * <p>An entry that fails for good on replay (not an outage: {@code NOPERM}, a script error, an
 * unreadable line) is moved to the dead-letter file ({@link DeadLetterFile}), logged at ERROR and
 * counted ({@code sessionbroker_outbox_dead_letters_total}); the entries behind it go on.
 */
@ApplicationScoped
public class RevocationRecorder {

  private static final Logger LOG = Logger.getLogger(RevocationRecorder.class);

  /** Applies a revocation in Redis. */
  interface Applier {

    /** Applies it; marks its jti processed afterwards when it has one. */
    void apply(PendingRevocation revocation);

    /**
     * Applies a back-channel logout of one SSO session unless its jti is known as processed,
     * without waiting for Redis (the stage completes on the Redis client's event loop).
     *
     * @return false when the token was processed already; or failed as {@link #apply} throws
     */
    CompletionStage<Boolean> applyUnlessProcessed(SessionRevocation revocation);
  }

  /** Applies a revocation in Redis now; false when nothing new was recorded. */
  @FunctionalInterface
  private interface Attempt {
    boolean run(PendingRevocation revocation);
  }

  private final Applier applier;
  private final ObjectMapper json;
  private final Path directory;
  private final Duration replayInterval;
  private final Duration shutdownDrainTimeout;
  private final AtomicLong journaled = new AtomicLong();
  private final Counter deadLettered;
  private final Object order = new Object();
  private final Object replaying = new Object();
  // Written under order; read without it by admitDirect's fast path.
  private volatile boolean journaling; // the journal holds entries or is taking one

  /** Journal appends handed to a worker and not done yet: new revocations must follow them. */
  private final AtomicInteger journalHandOffs = new AtomicInteger();

  /** Where journal appends of the non-blocking path run: they force the file to disk. */
  private final Executor journalWriters;

  private final DeadLetterFile deadLetters;
  private final RevocationJournal journal;
  private ScheduledExecutorService replayer;

  /** Runs inside the ordering lock just before an entry is appended; a seam for order tests. */
  volatile Consumer<PendingRevocation> beforeJournaling = revocation -> {};

  @Inject
  RevocationRecorder(
      RevocationService revocations,
      EventLog events,
      ProcessedTokens processedTokens,
      ObjectMapper json,
      MeterRegistry metrics,
      SessionBrokerConfig config) {
    this(
        new RedisApplier(
            revocations,
            events,
            processedTokens,
            config.logout().maxTokenAge().plus(config.logout().clockSkew().multipliedBy(2))),
        json,
        metrics,
        Path.of(config.outbox().directory()),
        config.outbox().replayInterval(),
        config.outbox().shutdownDrainTimeout());
  }

  RevocationRecorder(
      Applier applier,
      ObjectMapper json,
      MeterRegistry metrics,
      Path directory,
      Duration replayInterval,
      Duration shutdownDrainTimeout) {
    this(
        applier,
        json,
        metrics,
        directory,
        replayInterval,
        shutdownDrainTimeout,
        task -> Infrastructure.getDefaultWorkerPool().execute(task));
  }

  RevocationRecorder(
      Applier applier,
      ObjectMapper json,
      MeterRegistry metrics,
      Path directory,
      Duration replayInterval,
      Duration shutdownDrainTimeout,
      Executor journalWriters) {
    this.applier = applier;
    this.journalWriters = journalWriters;
    this.json = json;
    this.directory = directory;
    this.replayInterval = replayInterval;
    this.shutdownDrainTimeout = shutdownDrainTimeout;
    this.deadLettered = metrics.counter("sessionbroker.outbox.dead.letters");
    metrics.gauge("sessionbroker.outbox.journaled", journaled);
    DeadLetterFile letters = null;
    RevocationJournal opened = null;
    try {
      letters = new DeadLetterFile(directory, json, Clock.systemUTC());
      opened = new RevocationJournal(directory, letters);
      int waiting = opened.pending().lines().size();
      journaled.set(waiting);
      journaling = waiting > 0;
      if (waiting > 0) {
        LOG.warnf("%d journaled revocations from before the restart will be replayed", waiting);
      }
    } catch (IOException | RuntimeException e) {
      // Still serve: revocations go straight to Redis, and 503 if Redis fails too.
      LOG.errorf(
          e,
          "Revocation journal unusable at %s: logouts will be refused while Redis is down",
          directory.toAbsolutePath());
      opened = null;
    }
    this.deadLetters = letters;
    this.journal = opened;
    DeadLetterFile counted = letters;
    metrics.gauge(
        "sessionbroker.outbox.dead.letters.stored",
        this,
        recorder -> counted == null ? 0 : counted.count());
    if (letters != null && letters.count() > 0) {
      LOG.errorf(
          "%d dead letters in %s: revocations that failed for good and never reached Redis",
          letters.count(), letters.path().toAbsolutePath());
    }
  }

  void start(@Observes StartupEvent startup) {
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
      drainBeforeShutdown();
      replayer.shutdownNow();
    }
    try {
      if (journal != null) {
        journal.close();
      }
      if (deadLetters != null) {
        deadLetters.close();
      }
    } catch (IOException e) {
      LOG.warnf("Closing the revocation journal failed: %s", e.toString());
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
          applier.apply(r);
          return true;
        });
  }

  /**
   * {@link #record} for a back-channel logout of one SSO session (with its token's jti) that also
   * tells a replay, with the replay guard folded into the revocation's round trips (see {@link
   * RevocationService#revokeSidOnce}). Never blocks the caller, which may be an event-loop thread
   * (SPEC §6): Redis is called without waiting, and only a journal append (Redis unavailable, or
   * older revocations journaled) runs on a worker thread, since it forces the file to disk.
   *
   * @return completes with false when Redis knew the token as processed (nothing new was recorded),
   *     true when recorded in Redis or journaled; fails with {@link OutboxUnavailableException}
   *     when neither Redis nor the journal worked, or with the failure that is not an outage (a
   *     defect: answered 500), possibly wrapped in a {@link
   *     java.util.concurrent.CompletionException}
   * @throws IllegalArgumentException when the revocation has no jti
   */
  public CompletionStage<Boolean> recordUnlessProcessed(SessionRevocation revocation) {
    if (revocation.jti() == null) {
      throw new IllegalArgumentException("a replay-checked logout needs its token's jti");
    }
    RevocationJournal current = journal;
    if (current != null && !admitDirect(current)) {
      return journalOnWorker(current, revocation);
    }
    CompletionStage<Boolean> direct;
    try {
      direct = applier.applyUnlessProcessed(revocation);
    } catch (RuntimeException e) {
      direct = CompletableFuture.failedFuture(e);
    }
    return direct.exceptionallyCompose(
        failure -> journalOnWorker(current, owedAfter(current, revocation, unwrap(failure))));
  }

  private boolean record(PendingRevocation revocation, Attempt direct) {
    RevocationJournal current = journal;
    if (current != null && !admitDirect(current)) {
      return journal(current, revocation);
    }
    try {
      return direct.run(revocation);
    } catch (RuntimeException e) {
      return journal(current, owedAfter(current, revocation, e));
    }
  }

  /**
   * What to journal after the direct attempt failed: the revocation after an outage, the events
   * still owed after a partial failure ({@link EventsNotAppendedException}).
   *
   * @throws OutboxUnavailableException on an outage when the journal is unusable
   * @throws RuntimeException {@code failure} itself when it is not an outage (a defect)
   */
  private static PendingRevocation owedAfter(
      RevocationJournal current, PendingRevocation revocation, RuntimeException failure) {
    if (current == null) {
      if (RedisFailures.isUnavailable(failure)) {
        throw new OutboxUnavailableException(
            "Redis is unreachable and the journal unusable", failure);
      }
      throw failure;
    }
    if (failure instanceof EventsNotAppendedException e) {
      LOG.warnf(
          "Registrations revoked but %d event(s) not appended (%s): journaling the events",
          e.appends().size(), String.valueOf(e.getCause()));
      ProcessedJti processed = e.processed();
      return PendingRevocation.ofEvents(
          revocation, e.appends(), processed == null ? null : processed.jti());
    }
    if (!RedisFailures.isUnavailable(failure)) {
      throw failure;
    }
    LOG.warnf("Redis unavailable (%s): journaling the revocation for replay", failure.toString());
    return revocation;
  }

  /**
   * The cause of a failed stage as a runtime exception, without a CompletionException around it.
   */
  private static RuntimeException unwrap(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause instanceof RuntimeException e ? e : new IllegalStateException(cause);
  }

  /**
   * {@link #journal} on a worker thread. Counted from now on, so a revocation admitted meanwhile
   * follows this one into the journal instead of overtaking it.
   */
  private CompletionStage<Boolean> journalOnWorker(
      RevocationJournal current, PendingRevocation revocation) {
    journalHandOffs.incrementAndGet();
    CompletableFuture<Boolean> journaled = new CompletableFuture<>();
    try {
      journalWriters.execute(
          () -> {
            try {
              journaled.complete(journal(current, revocation));
            } catch (RuntimeException e) {
              journaled.completeExceptionally(e);
            } finally {
              journalHandOffs.decrementAndGet();
            }
          });
    } catch (RejectedExecutionException e) {
      journalHandOffs.decrementAndGet();
      journaled.completeExceptionally(
          new OutboxUnavailableException("no worker thread to write the journal", e));
    }
    return journaled;
  }

  /**
   * Whether a new revocation may go straight to Redis: nothing journaled is waiting or being
   * written. While the journal is in use this answers without the lock, so an event-loop thread
   * never waits behind a journal append's disk write.
   */
  private boolean admitDirect(RevocationJournal current) {
    if (journaling || journalHandOffs.get() > 0) {
      return false;
    }
    synchronized (order) {
      try {
        journaling = journaling || current.hasPending();
      } catch (IOException e) {
        journaling = true;
      }
      return !journaling;
    }
  }

  private boolean journal(RevocationJournal current, PendingRevocation revocation) {
    try {
      String line = json.writeValueAsString(revocation);
      synchronized (order) {
        journaling = true;
        try {
          beforeJournaling.accept(revocation);
          current.append(line);
        } finally {
          journaling = current.hasPending();
        }
      }
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

  /** Revocations waiting in the journal. */
  public long journaledCount() {
    return journaled.get();
  }

  /** Dead letters in the dead-letter file, earlier runs included. */
  public long deadLetterCount() {
    return deadLetters == null ? 0 : deadLetters.count();
  }

  /** The dead-letter file, for operators. */
  public Path deadLetterFile() {
    return directory.resolve(DeadLetterFile.FILE_NAME);
  }

  /**
   * Replays journaled revocations in order. Stops at the first outage (the rest waits for the next
   * round); moves an entry that fails for good to the dead letters and goes on.
   */
  void replay() throws IOException {
    RevocationJournal current = journal;
    if (current == null) {
      return;
    }
    synchronized (replaying) {
      RevocationJournal.Batch batch;
      synchronized (order) {
        if (!current.hasPending()) {
          journaling = false;
          return;
        }
        batch = current.pending();
      }
      int done = 0;
      try {
        for (String line : batch.lines()) {
          if (!replayOne(line)) {
            break;
          }
          done++;
        }
      } finally {
        synchronized (order) {
          if (done > 0) {
            current.markDone(current.offsetAfter(batch, done));
          }
          journaling = current.hasPending();
        }
        journaled.addAndGet(-done);
      }
      if (done > 0) {
        LOG.infof("Replayed %d journaled revocations", done);
      }
    }
  }

  /** Applies one journal line, or moves it to the dead letters; false on an outage. */
  private boolean replayOne(String line) throws IOException {
    PendingRevocation revocation;
    try {
      // Each type's constructor refuses a line without the fields its kind requires.
      revocation = json.readValue(line, PendingRevocation.class);
      if (revocation == null) {
        throw new IllegalArgumentException("no revocation");
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String why =
          "unreadable journal line: "
              + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
      deadLetter(line, why, null, null);
      return true;
    }
    try {
      applier.apply(revocation);
      return true;
    } catch (RuntimeException e) {
      if (RedisFailures.isUnavailable(e)) {
        LOG.debugf("Journal replay postponed, Redis unavailable: %s", e.toString());
        return false;
      }
      Throwable cause =
          e instanceof EventsNotAppendedException && e.getCause() != null ? e.getCause() : e;
      deadLetter(line, cause.toString(), revocation, e);
      return true;
    }
  }

  private void deadLetter(
      String line, String why, PendingRevocation revocation, RuntimeException failure)
      throws IOException {
    deadLetters.append(line, why);
    deadLettered.increment();
    String what =
        revocation == null
            ? "an unreadable entry"
            : revocation.kind()
                + " revocation "
                + revocation.revocationId()
                + " of issuer "
                + revocation.issuer();
    // The line holds ids only, never a token; the message names the entry, not its content.
    LOG.errorf(
        failure,
        "Journaled %s failed for good and was moved to the dead letters in %s: %s",
        what,
        deadLetters.path().toAbsolutePath(),
        why);
  }

  /**
   * On SIGTERM (rollout, scale-in, node drain) gives Redis a bounded chance ({@code
   * session-broker.outbox.shutdown-drain-timeout}) to take the journal, then says what stays.
   */
  private void drainBeforeShutdown() {
    long deadline = System.nanoTime() + shutdownDrainTimeout.toNanos();
    long waiting = pendingLinesQuietly();
    if (waiting == 0) {
      return;
    }
    LOG.warnf(
        "Shutting down with %d revocations journaled: waiting up to %s for Redis to take them",
        waiting, shutdownDrainTimeout);
    // Runs on the replay thread, after any replay under way: one replayer at a time.
    Future<?> drain =
        replayer.submit(
            () -> {
              while (hasPendingQuietly() && System.nanoTime() < deadline) {
                replaySafely();
                if (hasPendingQuietly()) {
                  try {
                    Thread.sleep(Math.min(200, Math.max(1, replayInterval.toMillis())));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                }
              }
            });
    try {
      drain.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      drain.cancel(true);
    } catch (ExecutionException e) {
      LOG.warnf("Draining the revocation journal failed: %s", e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long left = pendingLinesQuietly();
    if (left > 0) {
      LOG.errorf(
          "Shutting down with %d revocations still journaled in %s after waiting %s for Redis:"
              + " the next broker started with the same journal folder replays them",
          left, directory.toAbsolutePath(), shutdownDrainTimeout);
    } else {
      LOG.infof(
          "Revocation journal drained before shutdown: %d revocations reached Redis", waiting);
    }
  }

  private long pendingLinesQuietly() {
    try {
      return journal == null ? 0 : journal.pending().lines().size();
    } catch (IOException e) {
      return journaled.get();
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
    } catch (IOException e) {
      LOG.errorf("Journal replay failed on the outbox folder: %s", e.toString());
    } catch (RuntimeException e) {
      LOG.errorf(e, "Journal replay failed");
    }
  }

  /** Applies revocations through the revocation service and the event log. */
  private record RedisApplier(
      RevocationService revocations,
      EventLog events,
      ProcessedTokens processedTokens,
      Duration jtiRetention)
      implements Applier {

    /**
     * Applies a revocation, honouring the replay guard (SPEC §4) for one that carries a token id: a
     * journaled token may be a resend of one processed meanwhile, and applying it again would
     * revoke sessions admitted since. A back-channel logout of one SSO session is checked inside
     * its revocation script; any other entry with an id is checked first (the replay thread is the
     * only one applying journal entries).
     */
    @Override
    public void apply(PendingRevocation revocation) {
      String jti = revocation.jti();
      if (jti != null
          && revocation instanceof SessionRevocation logout
          && logout.replayGuardSid() != null) {
        // Each of its round trips is bounded by the Redis timeout.
        revokeSidOnce(logout).await().indefinitely();
        return;
      }
      if (jti != null
          && processedTokens.isProcessed(revocation.issuer(), revocation.replayGuardSid(), jti)) {
        return;
      }
      ProcessedJti processed =
          jti == null
              ? null
              : new ProcessedJti(
                  revocation.issuer(), revocation.replayGuardSid(), jti, jtiRetention);
      // The one place a pending revocation becomes its store call (sealed: these four kinds).
      if (revocation instanceof SessionRevocation r) {
        revocations.revokeSid(
            r.issuer(),
            r.sid(),
            r.sub(),
            r.audience(),
            r.reason(),
            r.revocationId(),
            r.notBefore());
      } else if (revocation instanceof UserRevocation r) {
        revocations.revokeUser(
            r.issuer(), r.sub(), r.audience(), r.reason(), r.revocationId(), r.notBefore());
      } else if (revocation instanceof ClientRevocation r) {
        revocations.revokeClient(
            r.issuer(), r.clientId(), r.notBefore(), r.reason(), r.revocationId());
      } else if (revocation instanceof OwedEvents r) {
        // The events mark the jti themselves, after the last append.
        events.appendAndPublishAll(r.events(), processed);
        return;
      } else {
        throw new IllegalStateException("no store call for a " + revocation.kind() + " revocation");
      }
      if (processed != null) {
        processedTokens.markProcessed(
            processed.issuer(), processed.sid(), processed.jti(), processed.retention());
      }
    }

    @Override
    public CompletionStage<Boolean> applyUnlessProcessed(SessionRevocation revocation) {
      // A plain future: the one of subscribeAsCompletionStage() captures and restores the
      // caller's contexts (CDI, Vert.x) for each stage chained on it, a cost per logout that
      // buys nothing here, since the HTTP layer restores its own request's context itself.
      CompletableFuture<Boolean> applied = new CompletableFuture<>();
      revokeSidOnce(revocation)
          .subscribe()
          .withSubscriber(
              new UniSubscriber<Boolean>() {
                @Override
                public void onSubscribe(UniSubscription subscription) {}

                @Override
                public void onItem(Boolean fresh) {
                  applied.complete(fresh);
                }

                @Override
                public void onFailure(Throwable failure) {
                  applied.completeExceptionally(failure);
                }
              });
      return applied;
    }

    /** A back-channel logout of one SSO session, replay-checked; false for a replay. */
    private Uni<Boolean> revokeSidOnce(SessionRevocation r) {
      return revocations
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
          .map(Optional::isPresent);
    }
  }
}
