package io.sessionbroker.broker.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * An append-only file of lines ({@code revocations.journal}), each forced to disk before {@link
 * #append} returns. A reader takes lines from a checkpointed offset ({@code
 * revocations.checkpoint}, decimal bytes); once every line is done the file is truncated.
 *
 * <p>Crash safety (SPEC §5): the checkpoint is written to a temporary file, forced, atomically
 * renamed over the old one, and the folder is forced, so a crash leaves the old or the new value,
 * never a torn one. Opening never fails on damaged content: a checkpoint that is unreadable, beyond
 * the end or not at a line start is logged at ERROR, kept aside as {@code
 * revocations.checkpoint.damaged}, and the journal is replayed from its start (replay is
 * idempotent); a torn last line (a crash during an append that was never acknowledged) is moved to
 * the dead-letter file and cut off, so the next append starts a line of its own.
 *
 * <p>Thread-safe.
 */
final class RevocationJournal implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RevocationJournal.class);
  private static final int MAX_BATCH_BYTES = 64 * 1024 * 1024;

  /** Lines read from the journal and the offset after them. */
  record Batch(List<String> lines, long endOffset) {}

  private final Path directory;
  private final Path checkpointFile;
  private final FileChannel channel;
  private long checkpoint;

  /**
   * Opens (or creates) the journal in {@code directory}.
   *
   * @param deadLetters where a torn last line goes
   * @throws IOException when the folder or the journal file cannot be opened at all
   */
  RevocationJournal(Path directory, DeadLetterFile deadLetters) throws IOException {
    Files.createDirectories(directory);
    this.directory = directory;
    Path file = directory.resolve("revocations.journal");
    this.checkpointFile = directory.resolve("revocations.checkpoint");
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    cutTornTail(deadLetters);
    this.checkpoint = readCheckpoint();
  }

  /** Appends one line and forces it to disk. */
  synchronized void append(String line) throws IOException {
    if (line.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("journal lines must not contain newlines");
    }
    ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    long position = channel.size();
    while (bytes.hasRemaining()) {
      position += channel.write(bytes, position);
    }
    channel.force(false);
  }

  /** Whether lines wait to be replayed. */
  synchronized boolean hasPending() throws IOException {
    return channel.size() > checkpoint;
  }

  /** Complete lines after the checkpoint (at most 64 MiB of them). */
  synchronized Batch pending() throws IOException {
    long size = channel.size();
    if (size <= checkpoint) {
      return new Batch(List.of(), checkpoint);
    }
    byte[] bytes = read(checkpoint, (int) Math.min(size - checkpoint, MAX_BATCH_BYTES));
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        lines.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    return new Batch(lines, checkpoint + start);
  }

  /**
   * The offset after the first {@code count} lines of {@code batch}, for {@link #markDone} when a
   * replay stops part-way.
   */
  synchronized long offsetAfter(Batch batch, int count) throws IOException {
    long offset = batch.endOffset();
    for (int i = batch.lines().size() - 1; i >= count; i--) {
      offset -= batch.lines().get(i).getBytes(StandardCharsets.UTF_8).length + 1;
    }
    return offset;
  }

  /**
   * Marks everything before {@code offset} done; truncates the file when nothing follows. Durable,
   * so a restart does not replay done lines (replaying them would be harmless anyway: revocations
   * are idempotent).
   */
  synchronized void markDone(long offset) throws IOException {
    if (offset >= channel.size()) {
      channel.truncate(0);
      channel.force(true);
      checkpoint = 0;
    } else {
      checkpoint = offset;
    }
    writeCheckpoint(checkpoint);
  }

  private void writeCheckpoint(long value) throws IOException {
    Path temporary = directory.resolve("revocations.checkpoint.tmp");
    try (FileChannel out =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      out.force(true);
    }
    Files.move(
        temporary,
        checkpointFile,
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    forceDirectory();
  }

  /** Makes the rename durable; some platforms cannot open a folder for that, which is harmless. */
  private void forceDirectory() {
    try (FileChannel folder = FileChannel.open(directory, StandardOpenOption.READ)) {
      folder.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debugf("Cannot force the outbox folder %s: %s", directory, e.toString());
    }
  }

  private long readCheckpoint() throws IOException {
    if (!Files.exists(checkpointFile)) {
      return 0;
    }
    long size = channel.size();
    String text;
    try {
      text = new String(Files.readAllBytes(checkpointFile), StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      return damagedCheckpoint("unreadable (" + e.getMessage() + ")");
    }
    if (text.isEmpty()) {
      return 0;
    }
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      return damagedCheckpoint("not a number");
    }
    if (value == 0 || (value > 0 && size == 0)) {
      // Empty journal: a crash between truncating it and writing the checkpoint leaves any value.
      return 0;
    }
    if (value < 0 || value > size || read(value - 1, 1)[0] != '\n') {
      return damagedCheckpoint(
          "offset " + value + " is not a line start of a " + size + "-byte file");
    }
    return value;
  }

  private long damagedCheckpoint(String why) {
    Path aside = directory.resolve("revocations.checkpoint.damaged");
    try {
      Files.move(checkpointFile, aside, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      LOG.debugf("Could not move the damaged checkpoint aside: %s", e.toString());
    }
    LOG.errorf(
        "Revocation journal checkpoint %s is damaged (%s): kept as %s; replaying the whole journal"
            + " (revocations are idempotent)",
        checkpointFile.toAbsolutePath(), why, aside.getFileName());
    return 0;
  }

  /** Moves bytes after the last newline (an unacknowledged, torn append) to the dead letters. */
  private void cutTornTail(DeadLetterFile deadLetters) throws IOException {
    long size = channel.size();
    long lineEnd = lastLineEnd(size);
    if (lineEnd == size) {
      return;
    }
    byte[] tail = read(lineEnd, (int) Math.min(size - lineEnd, MAX_BATCH_BYTES));
    deadLetters.append(
        new String(tail, StandardCharsets.UTF_8), "torn write: incomplete last journal line");
    channel.truncate(lineEnd);
    channel.force(true);
    LOG.errorf(
        "Revocation journal ended in an incomplete line (%d bytes, a crash during a write that was"
            + " never acknowledged): moved to %s",
        size - lineEnd, deadLetters.path().toAbsolutePath());
  }

  /** The offset after the last newline before {@code size}, or 0. */
  private long lastLineEnd(long size) throws IOException {
    long chunkEnd = size;
    while (chunkEnd > 0) {
      long chunkStart = Math.max(0, chunkEnd - 64 * 1024);
      byte[] chunk = read(chunkStart, (int) (chunkEnd - chunkStart));
      for (int i = chunk.length - 1; i >= 0; i--) {
        if (chunk[i] == '\n') {
          return chunkStart + i + 1;
        }
      }
      chunkEnd = chunkStart;
    }
    return 0;
  }

  private byte[] read(long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        break;
      }
    }
    byte[] bytes = new byte[buffer.position()];
    buffer.flip().get(bytes);
    return bytes;
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }
}
