package io.sessionbroker.client;

/**
 * Receives revocations from a {@link SessionBrokerClient}.
 *
 * <p>All callbacks of one client run on that client's single dispatcher thread, in stream order, so
 * a listener needs no locking of its own for the callbacks; a slow listener delays later events. An
 * exception thrown by a callback is caught and logged at WARN and never stops delivery to other
 * listeners or of later events. New callbacks are added as {@code default} methods so existing
 * implementations keep compiling.
 */
@FunctionalInterface
public interface RevocationListener {

  /**
   * Called once per event and subscriber, even across reconnects and catch-ups. The client's
   * revoked set already contains the event when this runs.
   */
  void onRevocation(RevocationEvent event);

  /** The live subscription is (again) in place; a catch-up from the stream follows. */
  default void onConnected() {}

  /**
   * The connection carrying the live subscription was lost; the client reconnects by itself and
   * catches up afterwards, so no event is lost.
   */
  default void onDisconnected() {}

  /**
   * A catch-up from the stream after (re)subscribing has finished.
   *
   * @param replayed how many events the catch-up delivered (zero when nothing was missed)
   */
  default void onCaughtUp(int replayed) {}
}
