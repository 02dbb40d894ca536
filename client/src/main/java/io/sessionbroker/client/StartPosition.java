package io.sessionbroker.client;

/**
 * Where a subscriber starts reading the revocation stream when its {@link LastSeenIdStore} holds no
 * id yet (first start, or an in-memory store after a restart).
 *
 * <p>Once an id has been delivered, listeners always resume right after it, whatever this setting
 * says, and the revoked set is rebuilt from every retained event as with {@link #RETAINED}. Either
 * way, revocations older than the stream's retention may be gone from it, so after every start
 * sessions older than {@link SessionBrokerOptions#streamRetention()} are judged by the {@link
 * ForgottenRevocationPolicy}.
 */
public enum StartPosition {

  /**
   * Replay every event still retained in the stream (the broker keeps 24 h by default), then go
   * live. The safe default: a revocation that happened while this instance was not running is still
   * applied, at the cost of replaying up to a day of events on a cold start. Replays only fill the
   * bounded revoked set; listeners see the old events too and must tolerate sessions they do not
   * know.
   */
  RETAINED,

  /**
   * Start at the end of the stream: only events appended after start are delivered. Faster cold
   * start, but a session that survived a restart (for example in a persistent or replicated session
   * store) stays alive if its revocation was published while no instance was running.
   */
  NOW
}
