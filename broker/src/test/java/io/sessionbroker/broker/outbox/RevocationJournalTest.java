package io.sessionbroker.broker.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §5: the journal's bookkeeping is crash-safe and a damaged file never stops a start. */
class RevocationJournalTest {

  @TempDir Path dir;

  private DeadLetterFile deadLetters() throws java.io.IOException {
    return new DeadLetterFile(dir, new ObjectMapper(), Clock.systemUTC());
  }

  @Test
  void whenTheCheckpointIsGarbageThenTheJournalOpensAndReplaysEverything() throws Exception {
    Files.writeString(dir.resolve("revocations.journal"), "{\"a\":1}\n{\"a\":2}\n");
    Files.writeString(dir.resolve("revocations.checkpoint"), "\0\0garbage");

    try (RevocationJournal journal = new RevocationJournal(dir, deadLetters())) {
      assertThat(journal.pending().lines()).containsExactly("{\"a\":1}", "{\"a\":2}");
    }
    assertThat(dir.resolve("revocations.checkpoint.damaged")).exists();
  }

  @Test
  void whenTheCheckpointPointsIntoALineThenTheJournalReplaysFromTheStart() throws Exception {
    Files.writeString(dir.resolve("revocations.journal"), "{\"a\":1}\n{\"a\":2}\n");
    Files.writeString(dir.resolve("revocations.checkpoint"), "3");

    try (RevocationJournal journal = new RevocationJournal(dir, deadLetters())) {
      assertThat(journal.pending().lines()).containsExactly("{\"a\":1}", "{\"a\":2}");
    }
  }

  @Test
  void whenTheLastLineIsTornThenALaterAppendIsStillReadable() throws Exception {
    // A crash in the middle of an append (never acknowledged) leaves bytes without a newline.
    Files.writeString(dir.resolve("revocations.journal"), "{\"a\":1}\n{\"a\":");

    try (RevocationJournal journal = new RevocationJournal(dir, deadLetters())) {
      journal.append("{\"a\":3}");
      assertThat(journal.pending().lines()).containsExactly("{\"a\":1}", "{\"a\":3}");
    }
    assertThat(Files.readString(dir.resolve("dead-letters.jsonl")))
        .contains("\"line\":\"{\\\"a\\\":\"")
        .contains("torn write");
  }

  @Test
  void whenPartIsDoneThenTheCheckpointIsWrittenWholeAndNoTemporaryFileRemains() throws Exception {
    try (RevocationJournal journal = new RevocationJournal(dir, deadLetters())) {
      journal.append("{\"a\":1}");
      journal.append("{\"a\":2}");
      RevocationJournal.Batch batch = journal.pending();
      journal.markDone(batch.endOffset() - "{\"a\":2}\n".length());
    }
    assertThat(Files.readString(dir.resolve("revocations.checkpoint"), StandardCharsets.UTF_8))
        .isEqualTo("8");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "revocations.journal", "revocations.checkpoint", "dead-letters.jsonl");
    }
    try (RevocationJournal journal = new RevocationJournal(dir, deadLetters())) {
      assertThat(journal.pending().lines()).containsExactly("{\"a\":2}");
    }
  }
}
