package io.sessionbroker.client.internal;

import io.sessionbroker.client.LastSeenIdStore;
import io.sessionbroker.client.SessionBrokerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps the last seen id in a file. Each save writes a sibling temp file and moves it over the old
 * one, so a crash mid-write never leaves a torn id behind.
 */
public final class FileLastSeenIdStore implements LastSeenIdStore {

  private final Path file;

  /** A store backed by {@code file}; its folder is created on the first save. */
  public FileLastSeenIdStore(Path file) {
    this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
  }

  @Override
  public Optional<String> load() {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        return Optional.empty();
      }
      StreamId.parse(text);
      return Optional.of(text);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      throw new SessionBrokerException("Cannot read the last seen id from " + file, e);
    }
  }

  @Override
  public void save(String lastSeenId) {
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temp, lastSeenId, StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new SessionBrokerException("Cannot store the last seen id in " + file, e);
    }
  }
}
