package io.sessionbroker.broker.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.reconcile.StubKeycloak.Mode;
import io.sessionbroker.broker.session.NewRegistration;
import io.sessionbroker.broker.session.SessionStatus;
import io.sessionbroker.broker.session.SessionStore;
import io.sessionbroker.broker.session.SessionStore.RegisterStatus;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.testsupport.RedisServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Only a definite answer from Keycloak revokes: errors, timeouts, rejected credentials, a missing
 * realm and an unreachable Keycloak leave every registration active. The first test shows that the
 * same setup does revoke when Keycloak answers, so the others cannot pass by never asking.
 */
@QuarkusTest
@WithTestResource(StubKeycloakResources.class)
class ReconciliationFailureTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STUB = "stub";
  private static final String DOWN = "down";
  private static final String CLIENT = "app1";

  @InjectStubKeycloak StubKeycloak keycloak;
  @InjectRedis RedisServer redis;
  @Inject ReconciliationJob job;
  @Inject SessionStore store;
  @Inject MeterRegistry metrics;

  @BeforeEach
  void emptyRegistryAndWellBehavedKeycloak() {
    assertThat(redis.command("FLUSHALL")).isEqualTo("+OK");
    keycloak.reset();
  }

  @Test
  void whenKeycloakNoLongerListsTheSidThenTheRegistrationIsRevokedAsExpired() {
    String gone = register(STUB, "sid-gone", "user-1");
    String live = register(STUB, "sid-live", "user-1");
    keycloak.user("user-1", "sid-live");
    double revokedBefore = counter("sessionbroker.reconciliation.revoked", STUB);

    ReconciliationReport report = job.runOnce();

    assertThat(report.issuer(STUB)).contains(new IssuerOutcome(STUB, 1, 1, 0, true));
    assertThat(status(STUB, gone)).isEqualTo(SessionStatus.REVOKED);
    assertThat(status(STUB, live)).isEqualTo(SessionStatus.ACTIVE);
    List<JsonNode> events = events(STUB);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).path("type").asText()).isEqualTo("session.revoked");
    assertThat(events.get(0).path("reason").asText()).isEqualTo("expired");
    assertThat(events.get(0).path("sid").asText()).isEqualTo("sid-gone");
    assertThat(events.get(0).path("sub").asText()).isEqualTo("user-1");
    assertThat(events.get(0).path("sessionIds").toString()).contains(gone);
    assertThat(counter("sessionbroker.reconciliation.revoked", STUB)).isEqualTo(revokedBefore + 1);
  }

  @Test
  void whenTheUserNoLongerExistsThenAllTheirRegistrationsAreRevoked() {
    String first = register(STUB, "sid-1", "deleted-user");
    String second = register(STUB, "sid-2", "deleted-user");

    ReconciliationReport report = job.runOnce();

    assertThat(report.issuer(STUB).orElseThrow().revoked()).isEqualTo(2);
    assertThat(status(STUB, first)).isEqualTo(SessionStatus.REVOKED);
    assertThat(status(STUB, second)).isEqualTo(SessionStatus.REVOKED);
  }

  @Test
  void whenTheAdminApiAnswers500ThenNothingIsRevoked() {
    String session = register(STUB, "sid-1", "user-1");
    keycloak.mode(Mode.SERVER_ERROR);
    double errorsBefore = counter("sessionbroker.reconciliation.errors", STUB);

    ReconciliationReport report = job.runOnce();

    assertThat(keycloak.sessionRequests()).isEqualTo(1);
    assertThat(report.issuer(STUB).orElseThrow().errors()).isEqualTo(1);
    assertThat(counter("sessionbroker.reconciliation.errors", STUB)).isEqualTo(errorsBefore + 1);
    assertThat(status(STUB, session)).isEqualTo(SessionStatus.ACTIVE);
    assertThat(events(STUB)).isEmpty();
  }

  @Test
  void whenTheAdminApiTimesOutThenNothingIsRevoked() {
    String session = register(STUB, "sid-1", "user-1");
    keycloak.mode(Mode.SLOW);

    ReconciliationReport report = job.runOnce();

    assertThat(keycloak.sessionRequests()).isEqualTo(1);
    assertThat(report.issuer(STUB).orElseThrow().errors()).isEqualTo(1);
    assertThat(status(STUB, session)).isEqualTo(SessionStatus.ACTIVE);
  }

  @Test
  void whenKeycloakKeepsFailingThenThePassStopsAfterAFewRequests() {
    for (int i = 0; i < 6; i++) {
      register(STUB, "sid-" + i, "user-" + i);
    }
    keycloak.mode(Mode.SERVER_ERROR);

    ReconciliationReport report = job.runOnce();

    assertThat(keycloak.sessionRequests()).isEqualTo(IssuerReconciliation.MAX_CONSECUTIVE_FAILURES);
    assertThat(report.issuer(STUB).orElseThrow().completed()).isFalse();
    assertThat(report.issuer(STUB).orElseThrow().revoked()).isZero();
  }

  @Test
  void whenTheClientCredentialsAreRefusedThenNothingIsAskedOrRevoked() {
    String session = register(STUB, "sid-1", "user-1");
    keycloak.refuseGrant();

    ReconciliationReport report = job.runOnce();

    assertThat(keycloak.sessionRequests()).isZero();
    assertThat(report.issuer(STUB)).contains(new IssuerOutcome(STUB, 0, 0, 1, false));
    assertThat(status(STUB, session)).isEqualTo(SessionStatus.ACTIVE);
  }

  @Test
  void whenTheAdminApiRejectsEveryTokenThenOneFreshTokenIsTriedAndNothingIsRevoked() {
    String session = register(STUB, "sid-1", "user-1");
    keycloak.user("user-1", "sid-1");
    job.runOnce();
    keycloak.mode(Mode.REJECT_TOKENS);
    int tokensBefore = keycloak.tokenRequests();
    int adminRequestsBefore = keycloak.adminRequests();

    ReconciliationReport report = job.runOnce();

    assertThat(keycloak.tokenRequests() - tokensBefore).as("tokens fetched").isEqualTo(1);
    assertThat(keycloak.adminRequests() - adminRequestsBefore)
        .as("the access check with the cached token, then with the fresh one")
        .isEqualTo(2);
    assertThat(report.issuer(STUB)).contains(new IssuerOutcome(STUB, 0, 0, 1, false));
    assertThat(status(STUB, session)).isEqualTo(SessionStatus.ACTIVE);
  }

  @Test
  void whenTheRealmIsNotFoundThenNoUser404IsTakenForAGoneUser() {
    String session = register(STUB, "sid-1", "user-1");
    keycloak.mode(Mode.NO_REALM);

    ReconciliationReport report = job.runOnce();

    assertThat(keycloak.sessionRequests()).isZero();
    assertThat(report.issuer(STUB)).contains(new IssuerOutcome(STUB, 0, 0, 1, false));
    assertThat(status(STUB, session)).isEqualTo(SessionStatus.ACTIVE);
  }

  @Test
  void whenKeycloakIsUnreachableThenNothingIsRevoked() {
    String session = register(DOWN, "sid-1", "user-1");
    double errorsBefore = counter("sessionbroker.reconciliation.errors", DOWN);

    ReconciliationReport report = job.runOnce();

    assertThat(report.issuer(DOWN)).contains(new IssuerOutcome(DOWN, 0, 0, 1, false));
    assertThat(counter("sessionbroker.reconciliation.errors", DOWN)).isEqualTo(errorsBefore + 1);
    assertThat(status(DOWN, session)).isEqualTo(SessionStatus.ACTIVE);
    assertThat(events(DOWN)).isEmpty();
  }

  @Test
  void whenARegistrationNamedTheSidWithAnotherUserThenTheSidIsNotJudgedByThatUser() {
    String session = register(STUB, "sid-1", "owner");
    RegisterStatus impostor =
        store
            .register(registration(STUB, "app1-" + UUID.randomUUID(), "sid-1", "impostor"))
            .status();
    assertThat(impostor).isEqualTo(RegisterStatus.SUB_MISMATCH);
    keycloak.user("owner", "sid-1");
    keycloak.user("impostor");

    ReconciliationReport report = job.runOnce();

    assertThat(report.issuer(STUB).orElseThrow().revoked()).isZero();
    assertThat(keycloak.sessionRequests()).as("only the owner is asked").isEqualTo(1);
    assertThat(status(STUB, session)).isEqualTo(SessionStatus.ACTIVE);
  }

  @Test
  void whenNoRegistrationOfASidIsActiveThenKeycloakIsNotAsked() {
    String session = register(STUB, "sid-1", "user-1");
    assertThat(store.delete(STUB, CLIENT, session)).isTrue();

    ReconciliationReport report = job.runOnce();

    assertThat(keycloak.sessionRequests()).isZero();
    assertThat(report.issuer(STUB)).contains(new IssuerOutcome(STUB, 0, 0, 0, true));
  }

  private String register(String issuer, String sid, String sub) {
    String sessionId = CLIENT + "-" + UUID.randomUUID();
    assertThat(store.register(registration(issuer, sessionId, sid, sub)).status())
        .isEqualTo(RegisterStatus.CREATED);
    return sessionId;
  }

  private static NewRegistration registration(
      String issuer, String sessionId, String sid, String sub) {
    Instant now = Instant.now();
    return new NewRegistration(
        issuer, CLIENT, sessionId, sid, sub, now, now.plus(Duration.ofHours(1)), true);
  }

  private SessionStatus status(String issuer, String sessionId) {
    return store.find(issuer, CLIENT, sessionId).orElseThrow().status();
  }

  private double counter(String name, String issuer) {
    return metrics.get(name).tag("issuer", issuer).counter().count();
  }

  private List<JsonNode> events(String issuer) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection
          .sync()
          .xrange("sb:events:" + issuer + ":" + CLIENT, Range.create("-", "+"))
          .stream()
          .map(message -> parse(EventStreams.event(message)))
          .toList();
    } finally {
      client.shutdown();
    }
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
