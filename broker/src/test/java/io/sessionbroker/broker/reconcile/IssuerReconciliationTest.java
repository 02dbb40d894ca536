package io.sessionbroker.broker.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The decision rules of one pass, with an in-memory registry and Keycloak. */
class IssuerReconciliationTest {

  private final InMemoryRegistry registry = new InMemoryRegistry();
  private final ScriptedKeycloak keycloak = new ScriptedKeycloak();
  private final List<String> revoked = new ArrayList<>();

  @Test
  void whenKeycloakNoLongerHasARegisteredSidThenOnlyThatSidIsRevoked() {
    registry.add("alice", "sid-gone", "sid-live");
    keycloak.sessions("alice", "sid-live", "sid-unregistered");

    IssuerOutcome outcome = run();

    assertThat(revoked).containsExactly("alice/sid-gone");
    assertThat(outcome).isEqualTo(new IssuerOutcome("demo", 1, 1, 0, true));
  }

  @Test
  void whenEveryRegisteredSidStillExistsThenNothingIsRevokedAndOfflineSessionsAreNotAsked() {
    registry.add("alice", "sid-1", "sid-2");
    keycloak.sessions("alice", "sid-1", "sid-2");

    IssuerOutcome outcome = run();

    assertThat(revoked).isEmpty();
    assertThat(outcome.usersChecked()).isEqualTo(1);
    assertThat(keycloak.offlineRequests).isZero();
  }

  @Test
  void whenTheUserIsGoneThenAllTheirSidsAreRevoked() {
    registry.add("carol", "sid-a", "sid-b");
    keycloak.userGone("carol");

    run();

    assertThat(revoked).containsExactly("carol/sid-a", "carol/sid-b");
  }

  @Test
  void whenTheSidLivesOnAsAnOfflineSessionThenItIsKept() {
    registry.add("bob", "sid-offline", "sid-gone");
    keycloak.sessions("bob");
    keycloak.offlineSessions("bob", "sid-offline");

    run();

    assertThat(revoked).containsExactly("bob/sid-gone");
  }

  @Test
  void whenOfflineSessionsCannotBeListedThenNothingOfThatUserIsRevoked() {
    registry.add("bob", "sid-gone");
    keycloak.sessions("bob");
    keycloak.offlineFails("bob");

    IssuerOutcome outcome = run();

    assertThat(revoked).isEmpty();
    assertThat(outcome.errors()).isEqualTo(1);
    assertThat(outcome.completed()).isTrue();
  }

  @Test
  void whenOneUserFailsThenNothingOfTheirsIsRevokedAndTheNextUserIsStillChecked() {
    registry.add("alice", "sid-a");
    registry.add("bob", "sid-b");
    keycloak.fails("alice", false);
    keycloak.sessions("bob");

    IssuerOutcome outcome = run();

    assertThat(revoked).containsExactly("bob/sid-b");
    assertThat(outcome).isEqualTo(new IssuerOutcome("demo", 1, 1, 1, true));
  }

  @Test
  void whenFailuresRepeatThenThePassStopsAfterTheLimit() {
    for (int i = 0; i < 10; i++) {
      registry.add("user-" + i, "sid-" + i);
      keycloak.fails("user-" + i, false);
    }

    IssuerOutcome outcome = run();

    assertThat(keycloak.sessionRequests).isEqualTo(IssuerReconciliation.MAX_CONSECUTIVE_FAILURES);
    assertThat(outcome.completed()).isFalse();
    assertThat(revoked).isEmpty();
  }

  @Test
  void whenAFailureConcernsTheWholeIssuerThenThePassStopsAtOnce() {
    registry.add("alice", "sid-a");
    registry.add("bob", "sid-b");
    keycloak.fails("alice", true);
    keycloak.sessions("bob");

    IssuerOutcome outcome = run();

    assertThat(keycloak.sessionRequests).isEqualTo(1);
    assertThat(outcome.completed()).isFalse();
    assertThat(revoked).isEmpty();
  }

  @Test
  void whenTheAdminApiIsNotUsableThenNoUserIsAsked() {
    registry.add("alice", "sid-a");
    keycloak.accessCheck =
        () -> {
          throw KeycloakAdminException.issuerWide("realm not found");
        };

    IssuerOutcome outcome = run();

    assertThat(keycloak.sessionRequests).isZero();
    assertThat(outcome).isEqualTo(new IssuerOutcome("demo", 0, 0, 1, false));
  }

  @Test
  void whenRevokingFailsThenThePassStopsAndReportsIt() {
    registry.add("alice", "sid-a");
    registry.add("bob", "sid-b");
    keycloak.userGone("alice");
    keycloak.userGone("bob");

    IssuerOutcome outcome =
        new IssuerReconciliation(
                "demo",
                registry,
                keycloak,
                (alias, sid, sub) -> {
                  throw new IllegalStateException("Redis down");
                })
            .run();

    assertThat(outcome.completed()).isFalse();
    assertThat(outcome.errors()).isEqualTo(1);
    assertThat(keycloak.sessionRequests).isEqualTo(1);
  }

  private IssuerOutcome run() {
    return new IssuerReconciliation(
            "demo", registry, keycloak, (alias, sid, sub) -> revoked.add(sub + "/" + sid))
        .run();
  }

  /** Users in insertion order. */
  private static final class InMemoryRegistry implements RegisteredSessions {

    private final List<RegisteredUser> users = new ArrayList<>();

    void add(String sub, String... sids) {
      users.add(new RegisteredUser(sub, List.of(sids)));
    }

    @Override
    public void forEachUser(String alias, Predicate<RegisteredUser> action) {
      for (RegisteredUser user : users) {
        if (!action.test(user)) {
          return;
        }
      }
    }
  }

  /** Answers per user as scripted; an unscripted user fails the test. */
  private static final class ScriptedKeycloak implements SessionDirectory {

    private final Map<String, Supplier<UserSessions>> online = new HashMap<>();
    private final Map<String, Supplier<Set<String>>> offline = new HashMap<>();
    Runnable accessCheck = () -> {};
    int sessionRequests;
    int offlineRequests;

    void sessions(String sub, String... ids) {
      online.put(sub, () -> UserSessions.of(Set.of(ids)));
    }

    void userGone(String sub) {
      online.put(sub, UserSessions::userGone);
    }

    void fails(String sub, boolean issuerWide) {
      online.put(
          sub,
          () -> {
            throw issuerWide
                ? KeycloakAdminException.issuerWide("HTTP 403")
                : KeycloakAdminException.transientFailure("HTTP 500");
          });
    }

    void offlineSessions(String sub, String... ids) {
      offline.put(sub, () -> Set.of(ids));
    }

    void offlineFails(String sub) {
      offline.put(
          sub,
          () -> {
            throw KeycloakAdminException.transientFailure("timed out");
          });
    }

    @Override
    public void checkAccess() {
      accessCheck.run();
    }

    @Override
    public UserSessions sessionsOf(String sub) {
      sessionRequests++;
      return online.get(sub).get();
    }

    @Override
    public Set<String> offlineSessionIds(String sub) {
      offlineRequests++;
      return offline.getOrDefault(sub, Set::of).get();
    }
  }
}
