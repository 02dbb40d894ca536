package io.sessionbroker.client;

import io.sessionbroker.client.internal.FileLastSeenIdStore;
import io.sessionbroker.client.internal.InMemoryLastSeenIdStore;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Persists the id of the last delivered event so that the listeners of a restarted subscriber get
 * everything it missed exactly once, starting right after it.
 *
 * <p>The stored id decides only which events are <em>delivered</em> to listeners, never what the
 * revoked set knows: the revoked set lives in memory, so at every start the client reads the stream
 * from its beginning, applies every retained event to it (as with {@link StartPosition#RETAINED})
 * and calls listeners only for events after the stored id. A session that outlives the process
 * (persistent or replicated session stores) and was logged out before the restart therefore stays
 * revoked after it (SPEC §3.4). The cost: start-up reads the retained stream, bounded by the
 * broker's retention (24 h by default).
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
