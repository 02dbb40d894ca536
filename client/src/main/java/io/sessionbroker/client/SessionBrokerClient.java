package io.sessionbroker.client;

import io.sessionbroker.client.internal.Listeners;
import io.sessionbroker.client.internal.RevokedSet;
import io.sessionbroker.client.internal.Subscription;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Receives this application's revocation events from Redis and answers {@code isRevoked(...)} from
 * memory.
 *
 * <p>{@link #start} subscribes to {@code <prefix>:revocations:<alias>:<clientId>}, then catches up
 * from the stream {@code <prefix>:events:<alias>:<clientId>}, and returns once caught up. The
 * revoked set is built from every event the stream retains; a stored last seen id (a file {@link
 * LastSeenIdStore}) only keeps the events up to it from reaching the listeners again, so a session
 * logged out before a restart is still revoked after it. Lettuce reconnects and resubscribes by
 * itself; after every resubscription the client catches up again. Each event reaches each listener
 * exactly once on the client's dispatcher thread, in stream order (an event that arrives live while
 * the stream cannot be read is delivered at once, ahead of older ones not yet read).
 *
 * <pre>{@code
 * try (SessionBrokerClient client = SessionBrokerClient.start(options, event -> drop(event))) {
 *   if (client.isRevoked(sid, sub, sessionCreatedAt)) { ... }
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops everything and may be called more than once.
 */
public final class SessionBrokerClient implements RevocationChecker, AutoCloseable {

  private final SessionBrokerOptions options;
  private final RevokedSet revokedSet;
  private final Listeners listeners;
  private final Subscription subscription;

  private SessionBrokerClient(SessionBrokerOptions options) {
    this.options = options;
    this.revokedSet =
        new RevokedSet(
            options.revokedSetMaxEntries(),
            options.revokedEntryTtl(),
            options.clock(),
            options.clockSkew(),
            options.forgottenRevocationPolicy());
    this.listeners = new Listeners();
    this.subscription =
        new Subscription(
            options,
            options.lastSeenIdStore().orElseGet(LastSeenIdStore::inMemory),
            revokedSet,
            listeners);
  }

  /**
   * Connects, subscribes and catches up; returns when the local revoked set is up to date: it has
   * applied every event the stream retains, including those before a stored last seen id (which are
   * not handed to listeners again).
   *
   * @param options the settings
   * @param listeners listeners that receive every event from the first catch-up on
   * @throws SessionBrokerException when Redis cannot be reached or the stream cannot be read to its
   *     end within {@link SessionBrokerOptions#startTimeout()}
   */
  public static SessionBrokerClient start(
      SessionBrokerOptions options, RevocationListener... listeners) {
    SessionBrokerClient client = new SessionBrokerClient(Objects.requireNonNull(options));
    for (RevocationListener listener : listeners) {
      client.addListener(listener);
    }
    client.subscription.start();
    return client;
  }

  /** Adds a listener that receives the events delivered from now on. */
  public void addListener(RevocationListener listener) {
    listeners.add(listener);
  }

  /** Removes a listener; returns whether it was registered. */
  public boolean removeListener(RevocationListener listener) {
    return listeners.remove(listener);
  }

  @Override
  public boolean isRevoked(String sid) {
    return revokedSet.isRevoked(sid);
  }

  @Override
  public boolean isSessionRevoked(String sessionId) {
    return revokedSet.isSessionRevoked(sessionId);
  }

  @Override
  public boolean isRevoked(String sid, String sub, Instant sessionCreatedAt) {
    return revokedSet.isRevoked(sid, sub, sessionCreatedAt);
  }

  /**
   * The cursor: the stream id of the last event read from the stream in order (delivered, or
   * skipped as unreadable), or the stored id this client resumed after while the start-up read has
   * not passed it; empty before any. An event delivered live while the stream could not be read
   * does not move it.
   */
  public Optional<String> lastSeenId() {
    return subscription.lastSeenId();
  }

  /**
   * The revoked set's watermark: revocations before it may have been evicted or expired, so older
   * sessions are judged by the {@link SessionBrokerOptions#forgottenRevocationPolicy()}. Empty
   * while nothing was forgotten.
   */
  public Optional<Instant> revokedSetWatermark() {
    return revokedSet.watermark();
  }

  /** How many sids, session ids and users the local revoked set holds now. */
  public int revokedSetSize() {
    return revokedSet.size();
  }

  /** The options this client runs with. */
  public SessionBrokerOptions options() {
    return options;
  }

  /** Unsubscribes and closes the Redis connections. Idempotent. */
  @Override
  public void close() {
    subscription.close();
  }
}
