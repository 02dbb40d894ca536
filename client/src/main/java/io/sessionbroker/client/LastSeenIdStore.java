package io.sessionbroker.client;

import io.sessionbroker.client.internal.FileLastSeenIdStore;
import io.sessionbroker.client.internal.InMemoryLastSeenIdStore;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Persists the id of the last delivered event so that a restarted subscriber resumes right after it
 * and gets everything it missed exactly once.
 *
 * <p>{@link #save(String)} is called on the client's dispatcher thread after each batch of
 * delivered events (not necessarily after every event), so implementations should be quick. A
 * failing {@code save} is logged and delivery continues; at worst a restart then replays a few
 * events again (they are idempotent revocations).
 */
public interface LastSeenIdStore {

  /** The id stored last, or empty when nothing was stored yet. */
  Optional<String> load();

  /** Stores the id of the last delivered event (a Redis stream id, {@code <ms>-<seq>}). */
  void save(String lastSeenId);

  /** A store that lives as long as the JVM: a restart starts over from {@link StartPosition}. */
  static LastSeenIdStore inMemory() {
    return new InMemoryLastSeenIdStore();
  }

  /**
   * A store that keeps the id in a small file, replaced atomically on every save. Use one file per
   * application instance.
   */
  static LastSeenIdStore file(Path file) {
    return new FileLastSeenIdStore(file);
  }
}
