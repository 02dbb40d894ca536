package io.sessionbroker.client.internal;

import io.lettuce.core.StreamMessage;
import io.sessionbroker.client.LastSeenIdStore;
import io.sessionbroker.client.RevocationEvent;
import io.sessionbroker.client.SessionBrokerException;
import io.sessionbroker.client.SessionBrokerOptions;
import io.sessionbroker.client.StartPosition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers every event of one client stream exactly once, in order, across reconnects (SPEC §3.4).
 *
 * <p>The order of operations is what makes this safe. The channel is subscribed first; only when
 * the server confirms the subscription (at start and after every reconnect) does a catch-up read
 * the stream after the cursor. The broker appends to the stream before it publishes, so every event
 * is either already in the stream when the catch-up reads it or published after the subscription
 * was in place.
 *
 * <p>The cursor (the last seen id, also what the {@link LastSeenIdStore} keeps) only ever advances
 * over ids read <em>from the stream, in order</em>. A stored cursor decides only which events reach
 * the listeners, never what the revoked set knows: a restarted subscriber reads the stream from its
 * beginning, as a fresh one starting from {@link StartPosition#RETAINED} does, and applies every
 * retained event to the revoked set, but calls listeners only for the events after the stored id
 * (the ones before it were delivered before the restart). Sessions outlive the process (persistent
 * or replicated session stores), so a revocation processed before the restart must still answer
 * {@code isRevoked} after it. The cost is reading the retained stream at every start, bounded by
 * the broker's retention. What the retention trimmed is beyond the stream, so every start also
 * raises the revoked set's watermark over it ({@link SessionBrokerOptions#streamRetention()}): a
 * restart never makes a revoked session look live; sessions older than the retention are judged by
 * the forgotten-revocation policy instead. A live message is a wake-up: the stream is read after
 * the cursor, which delivers the message's event together with anything appended before it but
 * published later. When the stream cannot be read (the command connection is down while pub/sub
 * already works again), the live payload is delivered at once and its id remembered in a bounded
 * "delivered ahead of the cursor" set; the cursor stays where it was, a catch-up is scheduled, and
 * when it reads those ids from the stream it skips them. So an outage never makes the cursor jump
 * over events not yet read.
 *
 * <p>All of it runs on one dispatcher thread, so ordering needs no locks and listeners are never
 * called concurrently. Lettuce's own threads only enqueue. Every dispatcher task is guarded: a
 * failure of any kind is logged at ERROR and the catch-up is rescheduled, never silently dropped.
 */
public final class Subscription implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);
  private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(100);

  /**
   * The most ids remembered as delivered live ahead of the cursor. Beyond it the oldest is
   * forgotten, which can only cause a duplicate delivery later, never a lost one.
   */
  static final int MAX_DELIVERED_AHEAD = 10_000;

  private final SessionBrokerOptions options;
  private final String streamKey;
  private final LastSeenIdStore store;
  private final RevokedSet revokedSet;
  private final Listeners listeners;
  private final EventParser parser = new EventParser();
  private final ScheduledThreadPoolExecutor dispatcher;
  private final ConcurrentLinkedQueue<String> pendingLive = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> firstCatchUp = new CompletableFuture<>();
  private final TreeSet<StreamId> deliveredAhead = new TreeSet<>();
  private final Runnable beforeStreamRead;

  /** The last id read from the stream in order; {@code null} means from the stream's start. */
  private volatile StreamId cursor;

  /**
   * The stored cursor this instance started with: events up to it reached the listeners before, so
   * reading them again only rebuilds the revoked set. {@code null} when nothing was stored.
   */
  private volatile StreamId resumeAfter;

  private volatile Thread dispatcherThread;
  private volatile Throwable lastCatchUpFailure;
  private StreamId lastSaved;
  private Duration retryDelay = FIRST_RETRY_DELAY;
  private ScheduledFuture<?> pendingRetry;
  private volatile RedisConnections redis;

  /** A subscription that is not yet started. */
  public Subscription(
      SessionBrokerOptions options,
      LastSeenIdStore store,
      RevokedSet revokedSet,
      Listeners listeners) {
    this(options, store, revokedSet, listeners, () -> {});
  }

  /**
   * A subscription with a hook that runs on the dispatcher thread before every stream read; a hook
   * that throws makes that read fail. For fault-injection tests.
   */
  Subscription(
      SessionBrokerOptions options,
      LastSeenIdStore store,
      RevokedSet revokedSet,
      Listeners listeners,
      Runnable beforeStreamRead) {
    this.beforeStreamRead = beforeStreamRead;
    this.options = options;
    this.streamKey = options.streamKey();
    this.store = store;
    this.revokedSet = revokedSet;
    this.listeners = listeners;
    this.dispatcher =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "session-broker-" + options.clientId());
              thread.setDaemon(true);
              dispatcherThread = thread;
              return thread;
            });
    this.dispatcher.setRemoveOnCancelPolicy(true);
    this.dispatcher.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * Connects, subscribes and runs the first catch-up; returns once the stream has been read up to
   * its end, so the revoked set is complete from the first request on. With a stored cursor the
   * stream is read from its beginning (the revoked set starts empty in every process), and
   * listeners get only the events after the stored id. A failed first catch-up is retried until
   * {@link SessionBrokerOptions#startTimeout()} has passed.
   *
   * @throws SessionBrokerException when Redis cannot be reached or the stream not read within the
   *     start timeout; everything started is closed again
   */
  public void start() {
    resumeAfter = store.load().map(StreamId::parse).orElse(null);
    cursor = null;
    lastSaved = resumeAfter;
    Duration timeout = options.startTimeout();
    CompletableFuture<Void> subscribed = new CompletableFuture<>();
    // Connecting runs on its own thread so that the start timeout bounds it too, whatever the
    // driver's own connect and handshake timeouts are.
    Thread connector =
        new Thread(
            () -> {
              try {
                connectAndSubscribe();
                subscribed.complete(null);
              } catch (Throwable e) {
                subscribed.completeExceptionally(e);
              }
            },
            "session-broker-start-" + options.clientId());
    connector.setDaemon(true);
    connector.start();
    try {
      subscribed
          .thenCompose(ignored -> firstCatchUp)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info(
          "Subscribed to {} and caught up to {}", options.channel(), lastSeenId().orElse("(none)"));
    } catch (ExecutionException e) {
      close();
      Throwable cause =
          e.getCause() instanceof CompletionException ? e.getCause().getCause() : e.getCause();
      if (cause instanceof SessionBrokerException known) {
        throw known;
      }
      throw new SessionBrokerException(
          "Cannot subscribe to " + options.channel() + ": " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      close();
      Throwable last = lastCatchUpFailure;
      throw new SessionBrokerException(
          "Not subscribed to "
              + options.channel()
              + " and caught up from "
              + streamKey
              + " within the start timeout of "
              + timeout.toMillis()
              + " ms"
              + (subscribed.isDone()
                  ? "; last catch-up failure: " + (last == null ? "(none)" : last.getMessage())
                  : ": Redis did not answer the connect or subscribe"),
          last);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new SessionBrokerException("Interrupted while starting the subscription", e);
    }
  }

  private void connectAndSubscribe() {
    RedisConnections opened = RedisConnections.open(options, new Events());
    synchronized (this) {
      if (closed.get()) {
        opened.close(); // the start timed out meanwhile
        throw new SessionBrokerException("Closed while connecting");
      }
      redis = opened;
    }
    try {
      if (resumeAfter == null && cursor == null && options.startFrom() == StartPosition.NOW) {
        // Read before subscribing: anything appended later is still caught up, nothing is skipped.
        cursor = opened.lastId(streamKey).orElse(StreamId.ZERO);
      }
      opened.subscribe();
    } catch (RuntimeException e) {
      throw new SessionBrokerException(
          "Cannot subscribe to " + options.channel() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The cursor: the id of the last event read from the stream in order (delivered or skipped), or
   * the stored id this instance resumed after while the start-up read has not passed it yet.
   */
  public Optional<String> lastSeenId() {
    StreamId id = lastDelivered();
    return id == null || id.equals(StreamId.ZERO) ? Optional.empty() : Optional.of(id.toString());
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    dispatcher.shutdown();
    try {
      RedisConnections current;
      synchronized (this) {
        current = redis;
      }
      if (current != null) {
        current.close();
      }
    } finally {
      if (Thread.currentThread() != dispatcherThread) {
        awaitDispatcher();
      }
    }
  }

  private void awaitDispatcher() {
    try {
      if (!dispatcher.awaitTermination(
          options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("A revocation listener is still running after close; it is left to finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void submit(Runnable task) {
    if (closed.get()) {
      return;
    }
    try {
      dispatcher.execute(guarded(task));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed concurrently: nothing left to deliver to.
    }
  }

  /**
   * Runs a dispatcher task so that no failure is lost: the executor would keep a thrown {@link
   * Error} in a future nobody reads, and the catch-up would silently stop.
   */
  private Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable e) {
        lastCatchUpFailure = e;
        LOG.error(
            "Revocation dispatcher task for {} failed; the catch-up is rescheduled", streamKey, e);
        scheduleRetry(e);
      }
    };
  }

  private void catchUp() {
    if (closed.get()) {
      return;
    }
    if (pendingRetry != null) {
      pendingRetry.cancel(false);
      pendingRetry = null;
    }
    int replayed;
    try {
      boolean trimmedUnread = warnIfTrimmedPastLastDelivered();
      if (!firstCatchUp.isDone() || trimmedUnread) {
        forgetWhatRetentionMayHaveTrimmed();
      }
      replayed = readStream();
    } catch (RuntimeException e) {
      lastCatchUpFailure = e;
      saveProgress();
      scheduleRetry(e);
      return;
    }
    saveProgress();
    retryDelay = FIRST_RETRY_DELAY;
    LOG.debug("Caught up from {}: {} event(s) replayed", streamKey, replayed);
    listeners.caughtUp(replayed);
    firstCatchUp.complete(null);
  }

  /**
   * Retention may have trimmed events this subscriber never read (it was away longer than the
   * broker keeps events, or its stored id is stale). They cannot be recovered from the stream; say
   * so loudly instead of resuming as if nothing was lost.
   */
  private boolean warnIfTrimmedPastLastDelivered() {
    StreamId last = lastDelivered();
    if (last == null || last.equals(StreamId.ZERO)) {
      return false;
    }
    if (redis.mayHaveTrimmedAfter(streamKey, last)) {
      LOG.warn(
          "The last event this subscriber read ({}) is no longer in {}: events after it may have"
              + " been trimmed unread (away longer than the broker's retention, or Redis lost"
              + " data); sessions older than the revocations lost among them are judged by the"
              + " forgotten-revocation policy",
          last,
          streamKey);
      return true;
    }
    return false;
  }

  /**
   * Raises the revoked set's watermark over every revocation the broker's retention may have
   * trimmed before this process read it. Called at every start (the revoked set lives in memory, so
   * whatever was trimmed is unknown to it, cursor stored or not) and when a reconnect finds events
   * trimmed unread.
   *
   * <p>The broker trims only from the head of the stream, and an entry appended at {@code T} only
   * by an append after {@code T + retention}. So every entry newer than {@code now - retention} is
   * still there, and when older ones are retained too, nothing after the oldest retained entry was
   * trimmed: revocations before the earlier of the two may be gone, none after it. With an empty or
   * missing stream (the key expires after the retention) it is {@code now - retention}. Clock
   * differences between this process, Redis and the broker are covered by the revoked set's clock
   * skew allowance.
   */
  private void forgetWhatRetentionMayHaveTrimmed() {
    Instant retainedFrom = options.clock().instant().minus(options.streamRetention());
    Instant mark =
        redis
            .firstId(streamKey)
            .map(StreamId::timestamp)
            .filter(oldest -> oldest.isBefore(retainedFrom))
            .orElse(retainedFrom);
    revokedSet.forgetBefore(mark);
    LOG.debug(
        "Revocations in {} before {} may have been trimmed unread; older sessions are judged by"
            + " the forgotten-revocation policy",
        streamKey,
        mark);
  }

  private void scheduleRetry(Throwable cause) {
    if (closed.get()) {
      return;
    }
    if (pendingRetry != null && !pendingRetry.isDone()) {
      return; // one retry is enough: it reads everything after the cursor
    }
    LOG.warn(
        "Catch-up from {} failed ({}); retrying in {} ms",
        streamKey,
        cause.getMessage(),
        retryDelay.toMillis());
    try {
      pendingRetry =
          dispatcher.schedule(guarded(this::catchUp), retryDelay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      return;
    }
    Duration doubled = retryDelay.multipliedBy(2);
    retryDelay =
        doubled.compareTo(options.maxReconnectDelay()) > 0 ? options.maxReconnectDelay() : doubled;
  }

  private void drainLive() {
    drainScheduled.set(false);
    List<EventParser.Parsed> batch = new ArrayList<>();
    for (String payload = pendingLive.poll(); payload != null; payload = pendingLive.poll()) {
      batch.add(parser.parseLiveMessage(payload));
    }
    if (batch.isEmpty() || closed.get()) {
      return;
    }
    if (batch.stream().anyMatch(parsed -> parsed.id() == null || isNew(parsed.id()))) {
      try {
        readStream();
      } catch (RuntimeException e) {
        lastCatchUpFailure = e;
        LOG.debug("Stream read after a live message failed; delivering the live payload", e);
        // The cursor stays behind what could not be read; the retry reads it.
        scheduleRetry(e);
      }
    }
    for (EventParser.Parsed parsed : batch) {
      if (parsed.id() != null) {
        deliverLive(parsed);
      }
    }
    saveProgress();
  }

  /** Reads and delivers everything after the cursor; returns how many were new. */
  private int readStream() {
    int delivered = 0;
    while (!closed.get()) {
      beforeStreamRead.run();
      List<StreamMessage<String, String>> entries =
          redis.readAfter(streamKey, cursor, options.catchUpBatchSize());
      for (StreamMessage<String, String> entry : entries) {
        String json = entry.getBody().get(RedisNames.EVENT_FIELD);
        if (deliverFromStream(parser.parseStreamEntry(entry.getId(), json))) {
          delivered++;
        }
      }
      if (entries.size() < options.catchUpBatchSize()) {
        break;
      }
    }
    return delivered;
  }

  /**
   * Moves the cursor over one stream entry and hands its event out unless it was delivered live
   * already; returns whether it was handed out now.
   */
  private boolean deliverFromStream(EventParser.Parsed parsed) {
    if (!isNew(parsed.id())) {
      return false;
    }
    cursor = parsed.id();
    boolean deliveredLive = deliveredAhead.remove(parsed.id());
    // Anything remembered at or below the cursor can no longer be mistaken for new.
    deliveredAhead.headSet(parsed.id(), true).clear();
    if (deliveredLive || parsed.event() == null) {
      return false;
    }
    return hand(parsed.id(), parsed.event());
  }

  /**
   * Hands out a live event not read from the stream yet, and remembers its id so the stream read
   * skips it; never moves the cursor.
   */
  private void deliverLive(EventParser.Parsed parsed) {
    if (!isNew(parsed.id()) || !deliveredAhead.add(parsed.id())) {
      return;
    }
    if (deliveredAhead.size() > MAX_DELIVERED_AHEAD) {
      deliveredAhead.pollFirst();
    }
    if (parsed.event() != null) {
      hand(parsed.id(), parsed.event());
    }
  }

  /**
   * Applies the event to the revoked set, and hands it to the listeners unless they got it before
   * the restart (at or before the stored cursor); returns whether the listeners got it.
   */
  private boolean hand(StreamId id, RevocationEvent event) {
    revokedSet.apply(event);
    StreamId delivered = resumeAfter;
    if (delivered != null && !id.isAfter(delivered)) {
      return false;
    }
    listeners.revocation(event);
    return true;
  }

  /** The later of the cursor and the stored id resumed after: what listeners have seen. */
  private StreamId lastDelivered() {
    StreamId read = cursor;
    StreamId stored = resumeAfter;
    if (read == null) {
      return stored;
    }
    return stored == null || read.isAfter(stored) ? read : stored;
  }

  private boolean isNew(StreamId id) {
    StreamId last = cursor;
    return last == null || id.isAfter(last);
  }

  private void saveProgress() {
    StreamId current = cursor;
    if (current == null || current.equals(lastSaved) || current.equals(StreamId.ZERO)) {
      return;
    }
    StreamId stored = resumeAfter;
    if (stored != null && !current.isAfter(stored)) {
      return; // below the stored id: storing it would make the next start deliver events again
    }
    try {
      store.save(current.toString());
      lastSaved = current;
    } catch (RuntimeException e) {
      LOG.warn("Could not store the last seen id {}; a restart may replay events", current, e);
    }
  }

  /** Lettuce's callbacks: they only hand work to the dispatcher. */
  private final class Events implements RedisConnections.PubSubEvents {

    @Override
    public void onSubscribed() {
      submit(
          () -> {
            listeners.connected();
            catchUp();
          });
    }

    @Override
    public void onMessage(String payload) {
      pendingLive.add(payload);
      if (drainScheduled.compareAndSet(false, true)) {
        submit(Subscription.this::drainLive);
      }
    }

    @Override
    public void onDisconnected() {
      submit(listeners::disconnected);
    }
  }
}
