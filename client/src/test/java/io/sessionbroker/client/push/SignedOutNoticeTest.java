package io.sessionbroker.client.push;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SignedOutNoticeTest {

  @Test
  void whenReasonTimeAndDelayAreGivenThenTheSentenceSaysWhyWhenInSecondsAndTheDelay() {
    assertThat(SignedOutNotice.describe("admin", "2026-11-24T05:49:43.004Z", "12", "x"))
        .isEqualTo(
            "An administrator revoked this session. At 05:49:43 UTC, pushed 12 ms after the"
                + " broker's event.");
  }

  @Test
  void whenReasonIsUnknownOrMissingThenTheFallbackIsUsed() {
    assertThat(SignedOutNotice.describe("policy_change", null, null, "fallback"))
        .isEqualTo("fallback");
    assertThat(SignedOutNotice.describe(null, null, null, "fallback")).isEqualTo("fallback");
  }

  @Test
  void whenTimeIsMalformedThenOnlyTheReasonIsGiven() {
    assertThat(SignedOutNotice.describe("expired", "<script>", "9", "x"))
        .isEqualTo("Your Keycloak session expired.");
  }
}
