package io.sessionbroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.RedisServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The subscriber against a real redis-server, with the test acting as the broker. */
class SessionBrokerClientTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private static RedisServer redis;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /** Options for a fresh client id, so tests never see each other's events. */
  private SessionBrokerOptions.Builder options(String redisUri) {
    return SessionBrokerOptions.builder()
        .redisUri(redisUri)
        .issuerAlias("acme")
        .clientId("app-" + CLIENTS.incrementAndGet())
        .maxReconnectDelay(Duration.ofMillis(300))
        .commandTimeout(Duration.ofSeconds(2));
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private FakeBroker broker(String redisUri, SessionBrokerOptions options) {
    return closeLater(new FakeBroker(redisUri, options));
  }

  private SessionBrokerClient start(SessionBrokerOptions options, RevocationListener... listeners) {
    return closeLater(SessionBrokerClient.start(options, listeners));
  }

  private static void awaitExactly(RecordingListener listener, List<String> ids) {
    await().atMost(WAIT).until(() -> listener.ids().size() >= ids.size());
    // Then stays so: no duplicate trickles in late.
    await()
        .during(Duration.ofMillis(300))
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(listener.ids()).containsExactlyElementsOf(ids));
  }

  @Test
  void whenEventIsPublishedThenListenerReceivesItLiveAndSidIsRevoked() {
    SessionBrokerOptions options = options(redis.uri()).build();
    FakeBroker broker = broker(redis.uri(), options);
    RecordingListener listener = new RecordingListener();
    SessionBrokerClient client = start(options, listener);

    String id = broker.revoke(FakeBroker.sessionRevoked("sid-1", "JSESSION-1"));

    awaitExactly(listener, List.of(id));
    RevocationEvent event = listener.events().get(0);
    assertThat(event.type()).isEqualTo(EventType.SESSION_REVOKED);
    assertThat(event.reason()).isEqualTo(Reason.BACKCHANNEL_LOGOUT);
    assertThat(event.sid()).isEqualTo("sid-1");
    assertThat(event.sessionIds()).containsExactly("JSESSION-1");
    assertThat(client.isRevoked("sid-1")).isTrue();
    assertThat(client.isSessionRevoked("JSESSION-1")).isTrue();
    assertThat(client.isRevoked("sid-2")).isFalse();
    assertThat(client.lastSeenId()).contains(id);
  }

  @Test
  void whenSubscriberNetworkIsCutThenEventsPublishedMeanwhileArriveExactlyOnceAfterReconnect() {
    TcpProxy proxy = closeLater(new TcpProxy(redis.port()));
    SessionBrokerOptions options = options(proxy.uri()).build();
    FakeBroker broker = broker(redis.uri(), options);
    RecordingListener listener = new RecordingListener();
    start(options, listener);
    String first = broker.revoke(FakeBroker.sessionRevoked("sid-before"));
    awaitExactly(listener, List.of(first));

    proxy.cut();
    await().atMost(WAIT).until(() -> listener.disconnected.get() >= 1);
    String second = broker.revoke(FakeBroker.sessionRevoked("sid-during-1"));
    String third = broker.revoke(FakeBroker.userRevoked("user-during"));
    proxy.restore();

    awaitExactly(listener, List.of(first, second, third));
    assertThat(listener.connected.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void whenRedisRestartsWithItsDataThenSubscriberCatchesUpExactlyOnce() {
    try (RedisServer durable = RedisServer.start(List.of("--appendonly", "yes"))) {
      SessionBrokerOptions options = options(durable.uri()).build();
      RecordingListener listener = new RecordingListener();
      start(options, listener);
      String first;
      try (FakeBroker broker = new FakeBroker(durable.uri(), options)) {
        first = broker.revoke(FakeBroker.sessionRevoked("sid-1"));
      }
      awaitExactly(listener, List.of(first));

      durable.stop();
      await().atMost(WAIT).until(() -> listener.disconnected.get() >= 1);
      durable.restart();
      String second;
      try (FakeBroker broker = new FakeBroker(durable.uri(), options)) {
        assertThat(broker.redis().xlen(options.streamKey())).isEqualTo(1);
        second = broker.revoke(FakeBroker.sessionRevoked("sid-2"));
      }

      awaitExactly(listener, List.of(first, second));
    }
  }

  @Test
  void whenSubscriberRestartsWithStoredIdThenItGetsOnlyTheMissedEventsExactlyOnce(@TempDir Path dir)
      throws Exception {
    Path idFile = dir.resolve("last-seen-id");
    SessionBrokerOptions options =
        options(redis.uri()).lastSeenIdStore(LastSeenIdStore.file(idFile)).build();
    FakeBroker broker = broker(redis.uri(), options);
    RecordingListener before = new RecordingListener();
    String first;
    String second;
    try (SessionBrokerClient client = SessionBrokerClient.start(options, before)) {
      first = broker.revoke(FakeBroker.sessionRevoked("sid-1"));
      second = broker.revoke(FakeBroker.sessionRevoked("sid-2"));
      awaitExactly(before, List.of(first, second));
    }
    String third = broker.revoke(FakeBroker.sessionRevoked("sid-3"));
    String fourth = broker.revoke(FakeBroker.userRevoked("user-4"));

    RecordingListener after = new RecordingListener();
    SessionBrokerClient restarted = start(options, after);

    awaitExactly(after, List.of(third, fourth));
    assertThat(restarted.isRevoked("sid-3")).isTrue();
    assertThat(restarted.isRevoked("sid-1")).as("applied again, not delivered again").isTrue();
    assertThat(Files.readString(idFile)).isEqualTo(fourth);
  }

  @Test
  void whenNothingIsStoredAndStartIsRetainedThenWholeStreamIsReplayed() {
    SessionBrokerOptions options = options(redis.uri()).build();
    FakeBroker broker = broker(redis.uri(), options);
    String first = broker.append(FakeBroker.sessionRevoked("sid-1"));
    String second = broker.append(FakeBroker.sessionRevoked("sid-2"));
    RecordingListener listener = new RecordingListener();

    SessionBrokerClient client = start(options, listener);

    // start() returns only once caught up: no waiting needed.
    assertThat(listener.ids()).containsExactly(first, second);
    assertThat(client.isRevoked("sid-1")).isTrue();
    assertThat(listener.caughtUp.get()).isEqualTo(1);
  }

  @Test
  void whenNothingIsStoredAndStartIsNowThenOnlyNewEventsAreDelivered() {
    SessionBrokerOptions options = options(redis.uri()).startFrom(StartPosition.NOW).build();
    FakeBroker broker = broker(redis.uri(), options);
    broker.append(FakeBroker.sessionRevoked("sid-old"));
    RecordingListener listener = new RecordingListener();

    SessionBrokerClient client = start(options, listener);
    String fresh = broker.revoke(FakeBroker.sessionRevoked("sid-new"));

    awaitExactly(listener, List.of(fresh));
    assertThat(client.isRevoked("sid-old")).isFalse();
  }

  @Test
  void whenListenerThrowsThenLaterListenersAndEventsStillReceive() {
    SessionBrokerOptions options = options(redis.uri()).build();
    FakeBroker broker = broker(redis.uri(), options);
    AtomicInteger throwingCalls = new AtomicInteger();
    RevocationListener throwing =
        event -> {
          throwingCalls.incrementAndGet();
          throw new IllegalStateException("listener bug");
        };
    RecordingListener recording = new RecordingListener();
    start(options, throwing, recording);

    String first;
    String second;
    String logs;
    try (StderrCapture stderr = new StderrCapture()) {
      first = broker.revoke(FakeBroker.sessionRevoked("sid-1"));
      second = broker.revoke(FakeBroker.sessionRevoked("sid-2"));
      awaitExactly(recording, List.of(first, second));
      logs = stderr.text();
    }

    assertThat(throwingCalls.get()).isEqualTo(2);
    assertThat(logs)
        .contains("WARN")
        .contains("failed on event " + first)
        .contains("failed on event " + second)
        .contains("listener bug");
  }

  @Test
  void whenSameEventIsInCatchUpAndLiveThenItIsDeliveredOnce() {
    SessionBrokerOptions options = options(redis.uri()).build();
    FakeBroker broker = broker(redis.uri(), options);
    ObjectNode event = FakeBroker.sessionRevoked("sid-1");
    String id = broker.append(event);
    RecordingListener listener = new RecordingListener();
    start(options, listener);

    broker.publish(event, id); // the late live copy of an event the catch-up already delivered
    String next = broker.revoke(FakeBroker.sessionRevoked("sid-2"));
    broker.publish(event, id); // and an old id again, after a newer one

    awaitExactly(listener, List.of(id, next));
  }

  @Test
  void whenEventsArriveWhileCatchingUpThenEachIsDeliveredOnceInOrder() throws Exception {
    SessionBrokerOptions options = options(redis.uri()).catchUpBatchSize(7).build();
    FakeBroker broker = broker(redis.uri(), options);
    List<String> published = new ArrayList<>();
    Thread publisher =
        new Thread(
            () -> {
              for (int i = 0; i < 300; i++) {
                published.add(broker.revoke(FakeBroker.sessionRevoked("sid-" + i)));
              }
            });
    RecordingListener listener = new RecordingListener();
    publisher.start();
    await().atMost(WAIT).until(() -> broker.redis().xlen(options.streamKey()) >= 50);

    start(options, listener);
    publisher.join(WAIT.toMillis());

    awaitExactly(listener, published);
  }

  @Test
  void whenCatchUpSpansSeveralBatchesThenEveryEventIsReplayed() {
    SessionBrokerOptions options = options(redis.uri()).catchUpBatchSize(3).build();
    FakeBroker broker = broker(redis.uri(), options);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(broker.append(FakeBroker.sessionRevoked("sid-" + i)));
    }
    RecordingListener listener = new RecordingListener();

    start(options, listener);

    assertThat(listener.ids()).containsExactlyElementsOf(ids);
  }

  @Test
  void whenEventHasUnknownVersionThenItIsSkippedAndLaterEventsAreDelivered() {
    SessionBrokerOptions options = options(redis.uri()).build();
    FakeBroker broker = broker(redis.uri(), options);
    RecordingListener listener = new RecordingListener();
    SessionBrokerClient client = start(options, listener);

    String future = broker.revoke(FakeBroker.sessionRevoked("sid-v2").put("v", 2));
    String current = broker.revoke(FakeBroker.sessionRevoked("sid-v1"));

    awaitExactly(listener, List.of(current));
    assertThat(client.isRevoked("sid-v2")).isFalse();
    assertThat(client.lastSeenId()).contains(current);
    assertThat(future).isNotEqualTo(current);
  }

  @Test
  void whenUserAndClientAreRevokedThenOnlySessionsCreatedBeforeAreRevoked() {
    SessionBrokerOptions options = options(redis.uri()).build();
    FakeBroker broker = broker(redis.uri(), options);
    RecordingListener listener = new RecordingListener();
    SessionBrokerClient client = start(options, listener);
    Instant now = Instant.now();
    // Within the stream retention: older sessions are unknown after a start, whatever revoked them.
    Instant at = now.minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    broker.revoke(FakeBroker.userRevoked("alice").put("at", now.toString()));
    broker.revoke(FakeBroker.clientRevoked(at));

    await().atMost(WAIT).until(() -> listener.ids().size() == 2);
    assertThat(client.isRevoked(null, "alice", now.minusSeconds(60))).isTrue();
    // Within the default 5 s clock-skew allowance "after" may still be before: revoked.
    assertThat(client.isRevoked(null, "alice", now.plusSeconds(1))).isTrue();
    assertThat(client.isRevoked(null, "alice", now.plusSeconds(6))).isFalse();
    assertThat(client.isRevoked(null, "bob", at.minusSeconds(1))).isTrue();
    assertThat(client.isRevoked(null, "bob", at.plusSeconds(6))).isFalse();
    assertThat(listener.events().get(1).notBefore()).isEqualTo(at);
  }

  @Test
  void whenMoreRevocationsThanMaxEntriesThenOldestAreEvicted() {
    SessionBrokerOptions options = options(redis.uri()).revokedSetMaxEntries(10).build();
    FakeBroker broker = broker(redis.uri(), options);
    RecordingListener listener = new RecordingListener();
    SessionBrokerClient client = start(options, listener);

    for (int i = 0; i < 25; i++) {
      broker.revoke(FakeBroker.sessionRevoked("sid-" + i));
    }

    await().atMost(WAIT).until(() -> listener.ids().size() == 25);
    assertThat(client.revokedSetSize()).isEqualTo(10);
    assertThat(client.isRevoked("sid-14")).isFalse();
    assertThat(client.isRevoked("sid-15")).isTrue();
    assertThat(client.isRevoked("sid-24")).isTrue();
  }

  @Test
  void whenConnectedThroughSentinelThenEventsArriveLiveAndFromTheStream() {
    SentinelProcess sentinel = closeLater(new SentinelProcess(redis.port()));
    SessionBrokerOptions options = options(sentinel.uri()).build();
    FakeBroker broker = broker(redis.uri(), options);
    String retained = broker.append(FakeBroker.sessionRevoked("sid-retained"));
    RecordingListener listener = new RecordingListener();

    SessionBrokerClient client = start(options, listener);
    String live = broker.revoke(FakeBroker.sessionRevoked("sid-live"));

    awaitExactly(listener, List.of(retained, live));
    assertThat(client.isRevoked("sid-live")).isTrue();
  }

  @Test
  void whenEventsWereTrimmedBeforeTheSubscriberReadThemThenItWarns(@TempDir Path dir) {
    LastSeenIdStore store = LastSeenIdStore.file(dir.resolve("id"));
    SessionBrokerOptions options = options(redis.uri()).lastSeenIdStore(store).build();
    FakeBroker broker = broker(redis.uri(), options);
    String seen = broker.append(FakeBroker.sessionRevoked("sid-seen"));
    store.save(seen);
    broker.append(FakeBroker.sessionRevoked("sid-trimmed"));
    String kept = broker.append(FakeBroker.sessionRevoked("sid-kept"));
    broker.redis().xtrim(options.streamKey(), 1); // as retention would: all but the newest
    RecordingListener listener = new RecordingListener();

    String logs;
    try (StderrCapture stderr = new StderrCapture()) {
      start(options, listener);
      logs = stderr.text();
    }

    assertThat(listener.ids()).containsExactly(kept);
    assertThat(logs).contains("may have been trimmed unread");
  }

  @Test
  void whenClosedTwiceThenSecondCloseDoesNothing() {
    SessionBrokerClient client =
        SessionBrokerClient.start(options(redis.uri()).build(), new RecordingListener());

    client.close();
    client.close();

    assertThat(client.lastSeenId()).isEmpty();
  }

  @Test
  void whenRedisIsUnreachableThenStartFailsWithSessionBrokerException() {
    SessionBrokerOptions options =
        options("redis://127.0.0.1:" + FreePorts.next())
            .commandTimeout(Duration.ofMillis(500))
            .build();

    assertThatThrownBy(() -> SessionBrokerClient.start(options))
        .isInstanceOf(SessionBrokerException.class)
        .hasMessageContaining(options.channel());
  }

  @Test
  void whenRedisAcceptsConnectionsButNeverAnswersThenStartFailsWithinTheStartTimeout()
      throws Exception {
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                while (!blackHole.isClosed()) {
                  try {
                    accepted.add(blackHole.accept());
                  } catch (java.io.IOException closed) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      SessionBrokerOptions options =
          options("redis://127.0.0.1:" + blackHole.getLocalPort())
              .commandTimeout(Duration.ofSeconds(60)) // the driver alone would wait this long
              .startTimeout(Duration.ofSeconds(1))
              .build();

      SessionBrokerException failure =
          assertTimeoutPreemptively(
              Duration.ofSeconds(15),
              () ->
                  org.junit.jupiter.api.Assertions.assertThrows(
                      SessionBrokerException.class, () -> SessionBrokerClient.start(options)));

      assertThat(failure)
          .hasMessageContaining("within the start timeout of 1000 ms")
          .hasMessageContaining("Redis did not answer");
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void whenListenerThrowsAnErrorDuringTheFirstCatchUpThenStartReturnsAndDeliveryGoesOn() {
    SessionBrokerOptions options = options(redis.uri()).build();
    FakeBroker broker = broker(redis.uri(), options);
    String retained = broker.append(FakeBroker.sessionRevoked("sid-1"));
    RevocationListener throwing =
        event -> {
          throw new ExceptionInInitializerError("listener's static init failed");
        };
    RecordingListener recording = new RecordingListener();

    assertTimeoutPreemptively(WAIT, () -> start(options, throwing, recording));
    String live = broker.revoke(FakeBroker.sessionRevoked("sid-2"));

    awaitExactly(recording, List.of(retained, live));
  }
}
