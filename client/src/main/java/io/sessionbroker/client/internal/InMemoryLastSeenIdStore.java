package io.sessionbroker.client.internal;

import io.sessionbroker.client.LastSeenIdStore;
import java.util.Optional;

/** Keeps the last seen id in a field: lost on restart. */
public final class InMemoryLastSeenIdStore implements LastSeenIdStore {

  private volatile String lastSeenId;

  @Override
  public Optional<String> load() {
    return Optional.ofNullable(lastSeenId);
  }

  @Override
  public void save(String lastSeenId) {
    this.lastSeenId = lastSeenId;
  }
}
