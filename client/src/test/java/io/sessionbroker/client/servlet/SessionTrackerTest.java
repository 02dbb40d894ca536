package io.sessionbroker.client.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionbroker.client.EventType;
import io.sessionbroker.client.Reason;
import io.sessionbroker.client.RevocationEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionTrackerTest {

  private static final Instant T0 = Instant.parse("2026-11-24T05:00:00Z");

  private final SessionTracker tracker = new SessionTracker();

  private FakeHttpSession signedIn(String id, String sid, String sub, Instant at) {
    FakeHttpSession session = new FakeHttpSession(id, at.minusSeconds(30), tracker);
    SessionAttributes.signedIn(session, sid, sub, at);
    return session;
  }

  private static RevocationEvent event(
      EventType type, String sid, String sub, List<String> ids, Instant at, Instant notBefore) {
    return new RevocationEvent(
        "1-0", type, Reason.BACKCHANNEL_LOGOUT, "acme", "app1", sid, sub, ids, at, notBefore);
  }

  @Test
  void whenSessionRevokedBySidThenEverySessionOfThatSidIsInvalidated() {
    FakeHttpSession first = signedIn("A", "sid-1", "alice", T0);
    FakeHttpSession second = signedIn("B", "sid-1", "alice", T0);
    FakeHttpSession other = signedIn("C", "sid-2", "alice", T0);

    tracker.onRevocation(
        event(EventType.SESSION_REVOKED, "sid-1", "alice", List.of(), T0.plusSeconds(5), null));

    assertThat(first.isValid()).isFalse();
    assertThat(second.isValid()).isFalse();
    assertThat(other.isValid()).isTrue();
    assertThat(tracker.trackedSessions()).isEqualTo(1);
  }

  @Test
  void whenEventListsRegisteredSessionIdsThenThoseSessionsAreInvalidated() {
    FakeHttpSession anonymous = new FakeHttpSession("JSESSION-1", T0, tracker);
    FakeHttpSession customId = new FakeHttpSession("JSESSION-2", T0, tracker);
    customId.setAttribute(SessionAttributes.SESSION_ID, "app-session-2");
    FakeHttpSession untouched = new FakeHttpSession("JSESSION-3", T0, tracker);

    tracker.onRevocation(
        event(
            EventType.SESSION_REVOKED,
            "sid-unknown",
            null,
            List.of("JSESSION-1", "app-session-2"),
            T0,
            null));

    assertThat(anonymous.isValid()).isFalse();
    assertThat(customId.isValid()).isFalse();
    assertThat(untouched.isValid()).isTrue();
  }

  @Test
  void whenUserRevokedThenOnlyHisSessionsCreatedBeforeAreInvalidated() {
    FakeHttpSession old = signedIn("A", "sid-1", "alice", T0);
    FakeHttpSession fresh = signedIn("B", "sid-2", "alice", T0.plusSeconds(120));
    FakeHttpSession bob = signedIn("C", "sid-3", "bob", T0);

    tracker.onRevocation(
        event(EventType.USER_REVOKED, null, "alice", List.of(), T0.plusSeconds(60), null));

    assertThat(old.isValid()).isFalse();
    assertThat(fresh.isValid()).isTrue();
    assertThat(bob.isValid()).isTrue();
  }

  @Test
  void whenUserRevokedThenASessionCreatedWithinTheClockSkewAfterIsInvalidatedToo() {
    FakeHttpSession withinSkew = signedIn("A", "sid-1", "alice", T0.plusSeconds(64));
    FakeHttpSession beyondSkew = signedIn("B", "sid-2", "alice", T0.plusSeconds(66));

    tracker.onRevocation(
        event(EventType.USER_REVOKED, null, "alice", List.of(), T0.plusSeconds(60), null));

    assertThat(withinSkew.isValid()).isFalse();
    assertThat(beyondSkew.isValid()).isTrue();
  }

  @Test
  void whenClientRevokedThenSignedInSessionsBeforeNotBeforeAreInvalidated() {
    FakeHttpSession old = signedIn("A", "sid-1", "alice", T0);
    FakeHttpSession fresh = signedIn("B", "sid-2", "bob", T0.plusSeconds(120));
    FakeHttpSession anonymous = new FakeHttpSession("C", T0.minusSeconds(600), tracker);

    tracker.onRevocation(
        event(
            EventType.CLIENT_REVOKED,
            null,
            null,
            List.of(),
            T0.plusSeconds(200),
            T0.plusSeconds(60)));

    assertThat(old.isValid()).isFalse();
    assertThat(fresh.isValid()).isTrue();
    assertThat(anonymous.isValid()).isTrue();
  }

  @Test
  void whenSessionIdChangesThenTrackerFollowsTheNewId() {
    FakeHttpSession session = signedIn("old-id", "sid-1", "alice", T0);

    session.changeId("new-id");
    tracker.onRevocation(event(EventType.SESSION_REVOKED, null, null, List.of("old-id"), T0, null));
    assertThat(session.isValid()).isTrue();
    tracker.onRevocation(event(EventType.SESSION_REVOKED, "sid-1", null, List.of(), T0, null));

    assertThat(session.isValid()).isFalse();
    assertThat(tracker.trackedSessions()).isZero();
  }

  @Test
  void whenSessionEndsThenItIsNoLongerTracked() {
    FakeHttpSession session = signedIn("A", "sid-1", "alice", T0);

    session.invalidate();

    assertThat(tracker.trackedSessions()).isZero();
  }

  @Test
  void whenSidAttributeIsReplacedThenOldSidNoLongerHitsTheSession() {
    FakeHttpSession session = signedIn("A", "sid-1", "alice", T0);
    session.setAttribute(SessionAttributes.SID, "sid-2");

    tracker.onRevocation(event(EventType.SESSION_REVOKED, "sid-1", null, List.of(), T0, null));

    assertThat(session.isValid()).isTrue();
  }
}
