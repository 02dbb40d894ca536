package io.sessionbroker.client.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sessionbroker.client.EventType;
import io.sessionbroker.client.Reason;
import io.sessionbroker.client.RevocationEvent;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub's rules with in-memory sinks (pure logic; the servlet test uses a real container). */
class SessionEventsHubTest {

  private static final Instant T0 = Instant.parse("2026-11-24T05:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final SessionEventsHub hub =
      new SessionEventsHub(
          2,
          Duration.ofMillis(50),
          Duration.ofSeconds(5),
          Clock.fixed(T0.plusMillis(40), ZoneOffset.UTC));

  @AfterEach
  void close() {
    hub.close();
  }

  private static final class Sink implements PushSink {
    final List<String> frames = new CopyOnWriteArrayList<>();
    volatile boolean closed;
    volatile boolean gone;
    volatile int heartbeats;

    @Override
    public void send(String name, String data) throws IOException {
      if (gone) {
        throw new IOException("gone");
      }
      frames.add(name + " " + data);
    }

    @Override
    public void heartbeat() throws IOException {
      if (gone) {
        throw new IOException("gone");
      }
      heartbeats++;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static RevocationEvent event(EventType type, String sid, String sub, Instant at) {
    return new RevocationEvent(
        "1764000000000-0",
        type,
        Reason.BACKCHANNEL_LOGOUT,
        "acme",
        "app1",
        sid,
        sub,
        List.of(),
        at,
        type == EventType.CLIENT_REVOKED ? at : null);
  }

  @Test
  void whenSessionIsRevokedThenEachOfItsTabsGetsTheEventWithTheDelayAndIsClosed() {
    Sink tab1 = new Sink();
    Sink tab2 = new Sink();
    Sink otherUser = new Sink();
    hub.open(new SessionKeys("S1", "sid-1", "alice", T0.minusSeconds(60)), tab1);
    hub.open(new SessionKeys("S1", "sid-1", "alice", T0.minusSeconds(60)), tab2);
    hub.open(new SessionKeys("S2", "sid-2", "bob", T0.minusSeconds(60)), otherUser);

    hub.onRevocation(event(EventType.SESSION_REVOKED, "sid-1", "alice", T0));

    await().atMost(WAIT).until(() -> tab1.closed && tab2.closed);
    assertThat(tab1.frames)
        .singleElement()
        .asString()
        .startsWith("revoked {")
        .contains("\"reason\":\"backchannel_logout\"")
        .contains("\"at\":\"2026-11-24T05:00:00Z\"")
        .contains("\"delayMillis\":40");
    assertThat(tab2.frames).hasSize(1);
    assertThat(otherUser.frames).isEmpty();
    assertThat(otherUser.closed).isFalse();
    assertThat(hub.openStreams()).isEqualTo(1);
  }

  @Test
  void whenUserIsRevokedThenOnlySessionsCreatedBeforeItOrWithinTheSkewAreEnded() {
    Sink old = new Sink();
    Sink withinSkew = new Sink();
    Sink fresh = new Sink();
    hub.open(new SessionKeys("S1", "sid-1", "alice", T0.minusSeconds(60)), old);
    hub.open(new SessionKeys("S2", "sid-2", "alice", T0.plusSeconds(4)), withinSkew);
    hub.open(new SessionKeys("S3", "sid-3", "alice", T0.plusSeconds(6)), fresh);

    hub.onRevocation(event(EventType.USER_REVOKED, null, "alice", T0));

    await().atMost(WAIT).until(() -> old.closed && withinSkew.closed);
    assertThat(fresh.closed).isFalse();
    assertThat(fresh.frames).isEmpty();
  }

  @Test
  void whenSessionHasTheMostStreamsThenAnotherIsRefused() {
    SessionKeys keys = new SessionKeys("S1", "sid-1", "alice", T0);
    hub.open(keys, new Sink());
    hub.open(keys, new Sink());

    assertThatThrownBy(() -> hub.open(keys, new Sink()))
        .isInstanceOf(SessionEventsHub.TooManyStreamsException.class);
    assertThat(hub.openStreams()).isEqualTo(2);
  }

  @Test
  void whenATabIsGoneThenTheHeartbeatDropsItsStream() {
    Sink gone = new Sink();
    Sink alive = new Sink();
    hub.open(new SessionKeys("S1", "sid-1", "alice", T0), gone);
    SessionEventsHub.Registration kept = hub.open(new SessionKeys("S2", "sid-2", "bob", T0), alive);
    gone.gone = true;

    await().atMost(WAIT).until(() -> gone.closed && hub.openStreams() == 1);
    await().atMost(WAIT).until(() -> alive.heartbeats >= 2);

    kept.close();
    assertThat(hub.openStreams()).isZero();
    assertThat(alive.closed).isTrue();
  }
}
