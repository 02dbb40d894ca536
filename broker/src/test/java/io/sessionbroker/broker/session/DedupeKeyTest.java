package io.sessionbroker.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two different revocations never share a dedupe key, whatever separators their ids hold. */
class DedupeKeyTest {

  private static final Instant T1 = Instant.ofEpochMilli(1_000);
  private static final Instant T12 = Instant.ofEpochMilli(12);
  private static final Instant AT = Instant.ofEpochMilli(1_764_000_000_000L);

  @Test
  void idsEndingInWhatLooksLikeANumberNeverShareAKeyWithAnotherRevocation() {
    List<String> keys =
        List.of(
            DedupeKey.sidLogout("X", AT, 1),
            DedupeKey.sidLogout("X:1", AT, 0),
            DedupeKey.sidLogout("1:X", AT, 0),
            DedupeKey.userLogout("u", T1, 2),
            DedupeKey.userLogout("u:1000", T1, 2),
            DedupeKey.userLogout("u", T12, 2),
            DedupeKey.userLogout("2:u", T1, 0),
            DedupeKey.sessionRevocation("S", T12),
            DedupeKey.sessionRevocation("S:12", T12),
            DedupeKey.clientRevocation("X"),
            DedupeKey.clientRevocation("sid:X"));

    assertThat(keys).doesNotHaveDuplicates();
  }

  @Test
  void noKeyEqualsOneOfTheEarlierFormat() {
    assertThat(DedupeKey.sidLogout("X", AT, 0)).isNotEqualTo("sid:X");
    assertThat(DedupeKey.sidLogout("X", AT, 1)).isNotEqualTo("sid:X:1");
    assertThat(DedupeKey.clientRevocation("a1")).isNotEqualTo("client:a1");
  }

  @Test
  void aLogoutOfTheSameSidAfterItsRecordExpiredHasItsOwnKey() {
    // The sid's generations start again at 0 once its record expired; its receipt time differs.
    assertThat(DedupeKey.sidLogout("X", AT, 0))
        .isNotEqualTo(DedupeKey.sidLogout("X", AT.plusSeconds(36_000), 0));
  }
}
