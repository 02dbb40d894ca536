package io.sessionbroker.client.internal;

import io.sessionbroker.client.RevocationEvent;
import io.sessionbroker.client.RevocationListener;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered listeners. Calls each in registration order and isolates them from one another: an
 * exception thrown by one is logged at WARN and never reaches the others or later events.
 */
public final class Listeners {

  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private final List<RevocationListener> listeners = new CopyOnWriteArrayList<>();

  /** Adds a listener; it receives events delivered from now on. */
  public void add(RevocationListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener; returns whether it was registered. */
  public boolean remove(RevocationListener listener) {
    return listeners.remove(listener);
  }

  void revocation(RevocationEvent event) {
    for (RevocationListener listener : listeners) {
      try {
        listener.onRevocation(event);
      } catch (RuntimeException | LinkageError | AssertionError e) {
        // Linkage and assertion errors too: a listener's bug must not stop delivery (a
        // VirtualMachineError is left to the dispatcher's guard). Only id and type: the event
        // carries no token, but a listener's message might quote
        // anything, so the exception is logged as the listener threw it and nothing more added.
        LOG.warn(
            "Revocation listener {} failed on event {} ({}); delivery continues",
            listener.getClass().getName(),
            event.id(),
            event.type(),
            e);
      }
    }
  }

  void connected() {
    notifyEach("onConnected", RevocationListener::onConnected);
  }

  void disconnected() {
    notifyEach("onDisconnected", RevocationListener::onDisconnected);
  }

  void caughtUp(int replayed) {
    notifyEach("onCaughtUp", listener -> listener.onCaughtUp(replayed));
  }

  private void notifyEach(String callback, Consumer<RevocationListener> call) {
    for (RevocationListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException | LinkageError | AssertionError e) {
        LOG.warn("Revocation listener {} failed in {}", listener.getClass().getName(), callback, e);
      }
    }
  }
}
