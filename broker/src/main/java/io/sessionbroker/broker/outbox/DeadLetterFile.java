package io.sessionbroker.broker.outbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * The outbox's dead-letter file (SPEC §5): journal entries that can never be applied (Redis refused
 * them for good, e.g. {@code NOPERM} or a script error, or the line is unreadable) are moved here
 * so they no longer hold back the entries behind them.
 *
 * <p>Format: append-only, UTF-8, one JSON object per line, each forced to disk before {@link
 * #append} returns: {@code {"at":"<ISO-8601 instant>","error":"<why>","line":"<the journal line,
 * verbatim>"}}. A journal line is a {@link PendingRevocation} in JSON; it names ids (issuer, sid,
 * sub, client, jti) and never a token. To apply dead letters again once the cause is fixed, stop
 * the broker and append their {@code line} values to the journal ({@code jq -r .line
 * dead-letters.jsonl >> revocations.journal}); replay is idempotent.
 *
 * <p>Thread-safe.
 */
final class DeadLetterFile implements AutoCloseable {

  /** The file's name inside the outbox folder. */
  static final String FILE_NAME = "dead-letters.jsonl";

  private final Path file;
  private final FileChannel channel;
  private final ObjectMapper json;
  private final Clock clock;
  private long count;

  DeadLetterFile(Path directory, ObjectMapper json, Clock clock) throws IOException {
    Files.createDirectories(directory);
    this.file = directory.resolve(FILE_NAME);
    this.json = json;
    this.clock = clock;
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    this.count = countLines();
  }

  /** Appends one dead letter and forces it to disk. */
  synchronized void append(String journalLine, String error) throws IOException {
    ObjectNode entry = json.createObjectNode();
    entry.put("at", clock.instant().toString());
    entry.put("error", error);
    entry.put("line", journalLine);
    ByteBuffer bytes =
        ByteBuffer.wrap((json.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8));
    long position = channel.size();
    while (bytes.hasRemaining()) {
      position += channel.write(bytes, position);
    }
    channel.force(false);
    count++;
  }

  /** Dead letters in the file, including those of earlier runs. */
  synchronized long count() {
    return count;
  }

  /** Where the file is. */
  Path path() {
    return file;
  }

  private long countLines() throws IOException {
    long lines = 0;
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    long position = 0;
    int read;
    while ((read = channel.read(buffer, position)) > 0) {
      for (int i = 0; i < read; i++) {
        if (buffer.get(i) == '\n') {
          lines++;
        }
      }
      position += read;
      buffer.clear();
    }
    return lines;
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }
}
