package io.sessionbroker.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what a client delivers, for assertions. */
final class RecordingListener implements RevocationListener {

  private final List<RevocationEvent> events = new ArrayList<>();
  final AtomicInteger connected = new AtomicInteger();
  final AtomicInteger disconnected = new AtomicInteger();
  final AtomicInteger caughtUp = new AtomicInteger();

  @Override
  public synchronized void onRevocation(RevocationEvent event) {
    events.add(event);
  }

  @Override
  public void onConnected() {
    connected.incrementAndGet();
  }

  @Override
  public void onDisconnected() {
    disconnected.incrementAndGet();
  }

  @Override
  public void onCaughtUp(int replayed) {
    caughtUp.incrementAndGet();
  }

  synchronized List<RevocationEvent> events() {
    return List.copyOf(events);
  }

  synchronized List<String> ids() {
    return events.stream().map(RevocationEvent::id).toList();
  }
}
