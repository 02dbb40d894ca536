package io.sessionbroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sessionbroker.testsupport.FreePorts;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionRegistrationClientTest {

  private static final String ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.id-token-payload.signature";
  private static final String BEARER = "access-token-secret-123";
  private static final String RECORD =
      """
      {"issuer":"acme","clientId":"app1","sessionId":"S1","sid":"sid-1","sub":"alice",
       "createdAt":"2026-11-24T05:49:43.004Z","expiresAt":"2026-11-24T15:49:43.004Z",
       "status":"active","revokedAt":null,"somethingNew":true}
      """;

  private final FakeBrokerApi api = new FakeBrokerApi();

  @AfterEach
  void stop() {
    api.close();
  }

  private SessionRegistrationClient.Builder client() {
    return SessionRegistrationClient.builder()
        .brokerUrl(api.uri())
        .bearerToken(() -> BEARER)
        .initialBackoff(Duration.ofMillis(10))
        .maxBackoff(Duration.ofMillis(40));
  }

  @Test
  void whenBrokerAnswers201ThenStoredRecordIsReturned() {
    api.answerJson(201, RECORD);

    SessionRecord record = client().build().register("S1", ID_TOKEN);

    assertThat(record.sid()).isEqualTo("sid-1");
    assertThat(record.isActive()).isTrue();
    assertThat(record.expiresAt()).isEqualTo(Instant.parse("2026-11-24T15:49:43.004Z"));
    FakeBrokerApi.Recorded request = api.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.rawPath()).isEqualTo("/api/v1/sessions");
    assertThat(request.authorization()).isEqualTo("Bearer " + BEARER);
    assertThat(request.contentType()).isEqualTo("application/json");
    assertThat(request.body()).isEqualTo("{\"sessionId\":\"S1\",\"idToken\":\"" + ID_TOKEN + "\"}");
  }

  @Test
  void whenRegisteringBySidThenBodyCarriesSidSubAndExpiry() {
    api.answerJson(201, RECORD);

    client().build().register("S1", "sid-1", "alice", Instant.parse("2026-11-24T15:00:00Z"));

    assertThat(api.requests().get(0).body())
        .isEqualTo(
            "{\"sessionId\":\"S1\",\"sid\":\"sid-1\",\"sub\":\"alice\","
                + "\"expiresAt\":\"2026-11-24T15:00:00Z\"}");
  }

  @Test
  void whenBrokerAnswers409SessionRevokedThenSessionRevokedExceptionIsThrown() {
    api.answerProblem(
        409,
        "{\"type\":\"https://session-broker/problems/session_revoked\",\"title\":\"Session"
            + " revoked\",\"status\":409}");

    SessionRevokedException e =
        catchThrowableOfType(
            SessionRevokedException.class, () -> client().build().register("S1", ID_TOKEN));

    assertThat(e.sessionId()).isEqualTo("S1");
    assertThat(e.statusCode()).isEqualTo(409);
    assertThat(e).isInstanceOf(SessionBrokerException.class);
    assertThat(api.requests()).hasSize(1);
  }

  @Test
  void whenBrokerAnswers409TooManySessionsForSidThenTooManySessionsForSidExceptionIsThrown() {
    // The broker's body, as its ProblemMappers writes it.
    api.answerProblem(
        409,
        "{\"type\":\"urn:session-broker:problem:too_many_sessions_for_sid\",\"title\":\"Conflict\","
            + "\"status\":409,\"detail\":\"this SSO session (sid) already has the most"
            + " registrations one sid may have (session-broker.registration.max-per-sid); end a"
            + " session of it first\",\"code\":\"too_many_sessions_for_sid\"}");

    TooManySessionsForSidException e =
        catchThrowableOfType(
            TooManySessionsForSidException.class,
            () -> client().build().register("S1", "sid-1", "alice", null));

    assertThat(e.statusCode()).isEqualTo(409);
    assertThat(e.problemCode()).contains("too_many_sessions_for_sid");
    assertThat(e).isInstanceOf(BrokerResponseException.class).hasMessageContaining("max-per-sid");
    assertThat(api.requests()).hasSize(1);
  }

  @Test
  void whenBrokerAnswers503RegistryFullThenRegistryFullExceptionCarriesRetryAfter() {
    String registryFull =
        "{\"type\":\"urn:session-broker:problem:registry_full\",\"title\":\"Service"
            + " Unavailable\",\"status\":503,\"detail\":\"the session registry is full: Redis"
            + " memory is kept for revocations; retry later\",\"code\":\"registry_full\"}";
    for (int i = 0; i < 2; i++) {
      api.answer(503, "application/problem+json", registryFull, Map.of("Retry-After", "30"));
    }

    RegistryFullException e =
        catchThrowableOfType(
            RegistryFullException.class,
            () -> client().maxAttempts(2).build().register("S1", ID_TOKEN));

    assertThat(e.statusCode()).isEqualTo(503);
    assertThat(e.problemCode()).contains("registry_full");
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
    assertThat(e.getMessage()).doesNotContain(ID_TOKEN).doesNotContain(BEARER);
  }

  @Test
  void whenRegistryFullHasNoOrAnUnreadableRetryAfterThenItIsEmpty() {
    api.answerProblem(503, "{\"status\":503,\"code\":\"registry_full\"}")
        .answer(
            503,
            "application/problem+json",
            "{\"status\":503,\"code\":\"registry_full\"}",
            Map.of("Retry-After", "soon"));
    SessionRegistrationClient client = client().maxAttempts(1).build();

    for (int i = 0; i < 2; i++) {
      RegistryFullException e =
          catchThrowableOfType(RegistryFullException.class, () -> client.register("S1", ID_TOKEN));
      assertThat(e.retryAfter()).isEmpty();
    }
  }

  @Test
  void whenAnother503Or409ThenItIsAPlainBrokerResponseException() {
    api.answerProblem(409, "{\"status\":409,\"code\":\"sub_mismatch\"}")
        .answer(
            503,
            "application/problem+json",
            "{\"status\":503,\"code\":\"issuer_unavailable\"}",
            Map.of("Retry-After", "30"));
    SessionRegistrationClient client = client().maxAttempts(1).build();

    for (int i = 0; i < 2; i++) {
      BrokerResponseException e =
          catchThrowableOfType(
              BrokerResponseException.class, () -> client.register("S1", "sid-1", null, null));
      assertThat(e)
          .isNotInstanceOf(TooManySessionsForSidException.class)
          .isNotInstanceOf(RegistryFullException.class)
          .isNotInstanceOf(SessionRevokedException.class);
    }
  }

  @Test
  void whenBrokerAnswers503ThenRequestIsRetriedWithFreshTokenUntilSuccess() {
    api.answerProblem(503, "{\"title\":\"Service Unavailable\",\"status\":503}")
        .answer(503, "text/plain", "")
        .answerJson(201, RECORD);
    AtomicInteger tokens = new AtomicInteger();

    SessionRecord record =
        client()
            .bearerToken(() -> "token-" + tokens.incrementAndGet())
            .build()
            .register("S1", ID_TOKEN);

    assertThat(record.sessionId()).isEqualTo("S1");
    assertThat(api.requests())
        .extracting(FakeBrokerApi.Recorded::authorization)
        .containsExactly("Bearer token-1", "Bearer token-2", "Bearer token-3");
  }

  @Test
  void whenBrokerAnswers400ThenItIsNotRetriedAndNoTokenIsInTheMessage() {
    // A careless server echoing the token must not make the library leak it.
    api.answerProblem(
        400,
        "{\"type\":\"about:blank\",\"code\":\"invalid_request\",\"status\":400,"
            + "\"detail\":\"bad id token "
            + ID_TOKEN
            + " for bearer "
            + BEARER
            + "\"}");

    BrokerResponseException e =
        catchThrowableOfType(
            BrokerResponseException.class, () -> client().build().register("S1", ID_TOKEN));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.problemCode()).contains("invalid_request");
    assertThat(e).hasMessageContaining("400").hasMessageContaining("invalid_request");
    assertThat(e.getMessage()).doesNotContain(ID_TOKEN).doesNotContain(BEARER);
    assertThat(api.requests()).hasSize(1);
  }

  @Test
  void whenBrokerKeepsFailingThenItGivesUpAfterMaxAttemptsWithoutLoggingTokens() {
    for (int i = 0; i < 4; i++) {
      api.answerProblem(500, "{\"title\":\"Internal Server Error\",\"status\":500}");
    }
    BrokerResponseException e;
    String logs;
    try (StderrCapture stderr = new StderrCapture()) {
      e =
          catchThrowableOfType(
              BrokerResponseException.class,
              () -> client().maxAttempts(4).build().register("S1", ID_TOKEN));
      logs = stderr.text();
    }

    assertThat(e.statusCode()).isEqualTo(500);
    assertThat(api.requests()).hasSize(4);
    assertThat(logs).contains("failed after 4 attempt(s)").doesNotContain(ID_TOKEN);
    assertThat(logs).doesNotContain(BEARER);
  }

  @Test
  void whenBrokerIsUnreachableThenSessionBrokerExceptionAfterRetries() {
    SessionRegistrationClient client =
        SessionRegistrationClient.builder()
            .brokerUrl("http://127.0.0.1:" + FreePorts.next())
            .bearerToken(() -> BEARER)
            .initialBackoff(Duration.ofMillis(5))
            .maxAttempts(2)
            .build();

    assertThatThrownBy(() -> client.register("S1", ID_TOKEN))
        .isInstanceOf(SessionBrokerException.class)
        .isNotInstanceOf(BrokerResponseException.class)
        .hasMessageContaining("/api/v1/sessions")
        .hasMessageNotContaining(ID_TOKEN)
        .hasMessageNotContaining(BEARER);
  }

  @Test
  void whenUnregisteringThenDeleteGoesToTheEncodedSessionId() {
    api.answer(204, "text/plain", "");

    client().build().unregister("a b/c?d%é");

    FakeBrokerApi.Recorded request = api.requests().get(0);
    assertThat(request.method()).isEqualTo("DELETE");
    assertThat(request.rawPath()).isEqualTo("/api/v1/sessions/a%20b%2Fc%3Fd%25%C3%A9");
  }

  @Test
  void whenUnregisteringAnUnknownSessionThenItCountsAsDone() {
    api.answerProblem(404, "{\"title\":\"Not Found\",\"status\":404}");

    client().build().unregister("gone");

    assertThat(api.requests()).hasSize(1);
  }

  @Test
  void whenBrokerUrlHasABasePathThenApiIsBelowIt() {
    api.answerJson(201, RECORD);

    SessionRegistrationClient.builder()
        .brokerUrl(api.uri() + "/broker/")
        .bearerToken(() -> BEARER)
        .build()
        .register("S1", ID_TOKEN);

    assertThat(api.requests().get(0).rawPath()).isEqualTo("/broker/api/v1/sessions");
  }
}
