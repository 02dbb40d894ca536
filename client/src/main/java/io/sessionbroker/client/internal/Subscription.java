package io.sessionbroker.client.internal;

import io.lettuce.core.StreamMessage;
import io.sessionbroker.client.LastSeenIdStore;
import io.sessionbroker.client.SessionBrokerException;
import io.sessionbroker.client.SessionBrokerOptions;
import io.sessionbroker.client.StartPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers every event of one client stream exactly once, in order, across reconnects.
 *
 * <p>The order of operations is what makes this safe. The channel is subscribed first; only when
 * the server confirms the subscription (at start and after every reconnect) does a catch-up read
 * the stream after the last delivered id. The broker appends to the stream before it publishes, so
 * every event is either already in the stream when the catch-up reads it or published after the
 * subscription was in place.
 *
 * <p>A live message is treated as a wake-up: the stream is read after the last delivered id, which
 * delivers the message's event together with anything appended before it but published later (as
 * can happen with several broker instances). The live payload itself is delivered only when the
 * stream cannot be read or no longer holds it. Every delivery goes through one dedupe rule: an id
 * not after the last delivered one is a duplicate.
 *
 * <p>All of it runs on one dispatcher thread, so ordering needs no locks and listeners are never
 * called concurrently. Lettuce's own threads only enqueue.
 */
public final class Subscription implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);
  private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(100);

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

  private volatile StreamId lastDelivered;
  private volatile Thread dispatcherThread;
  private StreamId lastSaved;
  private Duration retryDelay = FIRST_RETRY_DELAY;
  private ScheduledFuture<?> pendingRetry;
  private RedisConnections redis;

  /** A subscription that is not yet started. */
  public Subscription(
      SessionBrokerOptions options,
      LastSeenIdStore store,
      RevokedSet revokedSet,
      Listeners listeners) {
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
   * its end, so the revoked set is complete from the first request on.
   *
   * @throws SessionBrokerException when Redis cannot be reached or the first catch-up fails
   */
  public void start() {
    lastDelivered = store.load().map(StreamId::parse).orElse(null);
    lastSaved = lastDelivered;
    try {
      redis = RedisConnections.open(options, new Events());
    } catch (SessionBrokerException e) {
      close();
      throw e;
    }
    try {
      if (lastDelivered == null && options.startFrom() == StartPosition.NOW) {
        // Read before subscribing: anything appended later is still caught up, nothing is skipped.
        lastDelivered = redis.lastId(streamKey).orElse(StreamId.ZERO);
      }
      redis.subscribe();
      firstCatchUp.get();
      LOG.info(
          "Subscribed to {} and caught up to {}", options.channel(), lastSeenId().orElse("(none)"));
    } catch (ExecutionException e) {
      close();
      throw new SessionBrokerException(
          "First catch-up from " + streamKey + " failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new SessionBrokerException("Interrupted while starting the subscription", e);
    } catch (RuntimeException e) {
      close();
      throw new SessionBrokerException(
          "Cannot subscribe to " + options.channel() + ": " + e.getMessage(), e);
    }
  }

  /** The id of the last delivered (or skipped) event. */
  public Optional<String> lastSeenId() {
    StreamId id = lastDelivered;
    return id == null || id.equals(StreamId.ZERO) ? Optional.empty() : Optional.of(id.toString());
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    dispatcher.shutdown();
    try {
      if (redis != null) {
        redis.close();
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
      dispatcher.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed concurrently: nothing left to deliver to.
    }
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
      warnIfTrimmedPastLastDelivered();
      replayed = readStream();
    } catch (RuntimeException e) {
      saveProgress();
      if (!firstCatchUp.isDone()) {
        firstCatchUp.completeExceptionally(e);
        return;
      }
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
  private void warnIfTrimmedPastLastDelivered() {
    StreamId last = lastDelivered;
    if (last == null || last.equals(StreamId.ZERO)) {
      return;
    }
    if (redis.mayHaveTrimmedAfter(streamKey, last)) {
      LOG.warn(
          "The last event this subscriber read ({}) is no longer in {}: events after it may have"
              + " been trimmed unread (away longer than the broker's retention, or Redis lost"
              + " data); revocations among them are lost to this instance",
          last,
          streamKey);
    }
  }

  private void scheduleRetry(RuntimeException cause) {
    if (closed.get()) {
      return;
    }
    LOG.warn(
        "Catch-up from {} failed ({}); retrying in {} ms",
        streamKey,
        cause.getMessage(),
        retryDelay.toMillis());
    try {
      pendingRetry =
          dispatcher.schedule(this::catchUp, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
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
        LOG.debug("Stream read after a live message failed; using the live payload", e);
      }
    }
    for (EventParser.Parsed parsed : batch) {
      if (parsed.id() != null) {
        deliver(parsed);
      }
    }
    saveProgress();
  }

  /** Reads and delivers everything after the last delivered id; returns how many were new. */
  private int readStream() {
    int delivered = 0;
    while (!closed.get()) {
      List<StreamMessage<String, String>> entries =
          redis.readAfter(streamKey, lastDelivered, options.catchUpBatchSize());
      for (StreamMessage<String, String> entry : entries) {
        String json = entry.getBody().get(RedisNames.EVENT_FIELD);
        if (deliver(parser.parseStreamEntry(entry.getId(), json))) {
          delivered++;
        }
      }
      if (entries.size() < options.catchUpBatchSize()) {
        break;
      }
    }
    return delivered;
  }

  /** Applies and hands out one event unless it is a duplicate; returns whether it was new. */
  private boolean deliver(EventParser.Parsed parsed) {
    if (!isNew(parsed.id())) {
      return false;
    }
    lastDelivered = parsed.id();
    if (parsed.event() == null) {
      return false;
    }
    revokedSet.apply(parsed.event());
    listeners.revocation(parsed.event());
    return true;
  }

  private boolean isNew(StreamId id) {
    StreamId last = lastDelivered;
    return last == null || id.isAfter(last);
  }

  private void saveProgress() {
    StreamId current = lastDelivered;
    if (current == null || current.equals(lastSaved) || current.equals(StreamId.ZERO)) {
      return;
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
