package io.sessionbroker.broker.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only file of lines, each forced to disk before {@link #append} returns. A reader takes
 * lines from a checkpointed offset; once every line is done the file is truncated.
 *
 * <p>Thread-safe. A torn last line (crash during a write that was never acknowledged) has no
 * newline and is ignored.
 */
final class RevocationJournal implements AutoCloseable {

  /** Lines read from the journal and the offset after them. */
  record Batch(List<String> lines, long endOffset) {}

  private final Path file;
  private final Path checkpointFile;
  private final FileChannel channel;
  private long checkpoint;

  RevocationJournal(Path directory) throws IOException {
    Files.createDirectories(directory);
    this.file = directory.resolve("revocations.journal");
    this.checkpointFile = directory.resolve("revocations.checkpoint");
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
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

  /** Complete lines after the checkpoint. */
  synchronized Batch pending() throws IOException {
    long size = channel.size();
    if (size <= checkpoint) {
      return new Batch(List.of(), checkpoint);
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size - checkpoint, 64L * 1024 * 1024));
    channel.read(buffer, checkpoint);
    String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    int lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
      return new Batch(List.of(), checkpoint);
    }
    String complete = text.substring(0, lastNewline);
    long end = checkpoint + complete.getBytes(StandardCharsets.UTF_8).length + 1;
    List<String> lines = new ArrayList<>(List.of(complete.split("\n")));
    return new Batch(lines, end);
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
    Files.writeString(checkpointFile, Long.toString(checkpoint));
  }

  private long readCheckpoint() throws IOException {
    if (!Files.exists(checkpointFile)) {
      return 0;
    }
    String text = Files.readString(checkpointFile).trim();
    long value = text.isEmpty() ? 0 : Long.parseLong(text);
    return Math.min(value, channel.size());
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }
}
