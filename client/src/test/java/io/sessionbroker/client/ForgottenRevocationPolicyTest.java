package io.sessionbroker.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP re-check against a scripted broker API on loopback. */
class ForgottenRevocationPolicyTest {

  private static final Instant CREATED = Instant.parse("2026-11-24T05:00:00Z");

  private final FakeBrokerApi api = new FakeBrokerApi();
  private final ForgottenRevocationPolicy policy =
      ForgottenRevocationPolicy.recheckOverHttp(
          SessionRegistrationClient.builder()
              .brokerUrl(api.uri())
              .bearerToken(() -> "service-account-token")
              .maxAttempts(1)
              .build(),
          Duration.ofMinutes(1));

  @AfterEach
  void close() {
    api.close();
  }

  private static String page(String status) {
    return "{\"items\":[{\"issuer\":\"acme\",\"clientId\":\"app1\",\"sessionId\":\"S1\","
        + "\"sid\":\"sid-1\",\"status\":\""
        + status
        + "\"}],\"next\":null}";
  }

  @Test
  void whenTheBrokerHasTheSidActiveThenItIsLiveAndTheAnswerIsCached() {
    api.answerJson(200, page("active"));

    assertThat(policy.isRevoked("sid-1", "alice", CREATED)).isFalse();
    assertThat(policy.isRevoked("sid-1", "alice", CREATED)).isFalse();

    assertThat(api.requests())
        .singleElement()
        .satisfies(
            request -> {
              assertThat(request.method()).isEqualTo("GET");
              assertThat(request.rawPath()).isEqualTo("/api/v1/sessions");
              assertThat(request.authorization()).isEqualTo("Bearer service-account-token");
            });
  }

  @Test
  void whenTheBrokerHasTheSidRevokedThenItIsRevoked() {
    api.answerJson(200, page("revoked"));

    assertThat(policy.isRevoked("sid-1", "alice", CREATED)).isTrue();
  }

  @Test
  void whenTheBrokerKnowsNoRegistrationThenItIsRevoked() {
    api.answerJson(200, "{\"items\":[],\"next\":null}");

    assertThat(policy.isRevoked("sid-1", "alice", CREATED)).isTrue();
  }

  @Test
  void whenTheBrokerCannotAnswerThenItFailsClosed() {
    api.answer(503, "text/plain", "down");

    assertThat(policy.isRevoked("sid-1", "alice", CREATED)).isTrue();
  }

  @Test
  void whenTheSessionHasNoSidThenItIsRevokedWithoutACall() {
    assertThat(policy.isRevoked(null, "alice", CREATED)).isTrue();
    assertThat(api.requests()).isEmpty();
  }
}
