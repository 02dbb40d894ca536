package io.sessionbroker.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** Stops a process with its descendants, the way every launcher here must: nothing may leak. */
public final class ProcessTree {

  private static final Duration AFTER_KILL = Duration.ofSeconds(5);

  private ProcessTree() {}

  /**
   * SIGTERM to the process and its descendants (a JVM then runs its shutdown hooks), up to {@code
   * patience} for all of them to exit, then SIGKILL to what is left. Safe to call on an exited
   * process.
   */
  public static void stop(ProcessHandle root, Duration patience) {
    // Collect the tree before signalling: once a parent exits, its children are re-parented and
    // can no longer be found through it.
    List<ProcessHandle> tree = Stream.concat(Stream.of(root), root.descendants()).toList();
    tree.forEach(ProcessHandle::destroy);
    Instant deadline = Instant.now().plus(patience);
    for (ProcessHandle handle : tree) {
      awaitExit(handle, Duration.between(Instant.now(), deadline));
    }
    for (ProcessHandle handle : tree) {
      if (handle.isAlive()) {
        handle.destroyForcibly();
        awaitExit(handle, AFTER_KILL);
      }
    }
  }

  private static void awaitExit(ProcessHandle handle, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      return;
    }
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Left for destroyForcibly (onExit never completes exceptionally).
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
