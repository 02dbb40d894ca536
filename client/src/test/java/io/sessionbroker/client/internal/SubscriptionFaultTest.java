package io.sessionbroker.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisConnectionException;
import io.sessionbroker.client.FakeBroker;
import io.sessionbroker.client.LastSeenIdStore;
import io.sessionbroker.client.RevocationEvent;
import io.sessionbroker.client.RevocationListener;
import io.sessionbroker.client.SessionBrokerException;
import io.sessionbroker.client.SessionBrokerOptions;
import io.sessionbroker.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The subscription under injected stream-read failures (SPEC §3.4): real Redis and Lettuce, with a
 * gate before every stream read that the test opens and closes, so each interleaving is forced by
 * the test rather than left to timing.
 */
class SubscriptionFaultTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private static RedisServer redis;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final Gate gate = new Gate();
  private final Recording listener = new Recording();
  private final LastSeenIdStore store = LastSeenIdStore.inMemory();

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

  /** Fails every stream read while closed, and counts the failures. */
  private static final class Gate implements Runnable {
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile CountDownLatch failed = new CountDownLatch(1);
    private volatile RuntimeException runtimeFailure;
    private volatile Error errorOnce;

    void close() {
      failed = new CountDownLatch(1);
      closed.set(true);
    }

    void open() {
      closed.set(false);
    }

    void awaitFailure() throws InterruptedException {
      assertThat(failed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("a stream read failed at the gate")
          .isTrue();
    }

    @Override
    public void run() {
      Error error = errorOnce;
      if (error != null) {
        errorOnce = null;
        failed.countDown();
        throw error;
      }
      if (closed.get()) {
        failed.countDown();
        throw runtimeFailure != null
            ? runtimeFailure
            : new RedisConnectionException("injected: the command connection is down");
      }
    }
  }

  private static final class Recording implements RevocationListener {
    private final List<String> ids = new ArrayList<>();

    @Override
    public synchronized void onRevocation(RevocationEvent event) {
      ids.add(event.id());
    }

    synchronized List<String> ids() {
      return List.copyOf(ids);
    }
  }

  private SessionBrokerOptions options() {
    return SessionBrokerOptions.builder()
        .redisUri(redis.uri())
        .issuerAlias("acme")
        .clientId("fault-" + CLIENTS.incrementAndGet())
        .maxReconnectDelay(Duration.ofMillis(200))
        .commandTimeout(Duration.ofSeconds(2))
        .startTimeout(WAIT)
        .build();
  }

  private Subscription subscription(SessionBrokerOptions options) {
    Listeners listeners = new Listeners();
    listeners.add(listener);
    Subscription subscription =
        new Subscription(
            options,
            store,
            new RevokedSet(1000, Duration.ofHours(10), options.clock()),
            listeners,
            gate);
    toClose.add(subscription);
    return subscription;
  }

  private FakeBroker broker(SessionBrokerOptions options) {
    FakeBroker broker = new FakeBroker(redis.uri(), options);
    toClose.add(broker);
    return broker;
  }

  private void awaitExactly(List<String> ids) {
    await().atMost(WAIT).until(() -> listener.ids().size() >= ids.size());
    await()
        .during(Duration.ofMillis(300))
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(listener.ids()).containsExactlyElementsOf(ids));
  }

  @Test
  void whenCatchUpAfterReconnectFailsAndALiveEventArrivesThenNothingPublishedMeanwhileIsSkipped()
      throws Exception {
    SessionBrokerOptions options = options();
    FakeBroker broker = broker(options);
    Subscription subscription = subscription(options);
    subscription.start();
    String before = broker.revoke(FakeBroker.sessionRevoked("sid-before"));
    awaitExactly(List.of(before));

    // Pub/sub comes back before stream reads work again (as after a Redis restart).
    gate.close();
    broker.redis().clientKill(KillArgs.Builder.typePubsub());
    gate.awaitFailure(); // the catch-up after the resubscription failed
    String missed = broker.append(FakeBroker.sessionRevoked("sid-missed"));
    String live = broker.revoke(FakeBroker.sessionRevoked("sid-live"));
    await().atMost(WAIT).until(() -> listener.ids().contains(live));

    assertThat(subscription.lastSeenId())
        .as("the cursor stays before what was not read")
        .contains(before);
    assertThat(store.load()).as("nor is a later id persisted").contains(before);
    gate.open();

    awaitExactly(List.of(before, live, missed));
    assertThat(subscription.lastSeenId()).contains(live);
    assertThat(store.load()).contains(live);
  }

  @Test
  void whenFirstCatchUpFailsAndALiveEventArrivesThenStartReturnsOnceEveryEventIsDeliveredOnce()
      throws Exception {
    SessionBrokerOptions options = options();
    FakeBroker broker = broker(options);
    String retained = broker.append(FakeBroker.sessionRevoked("sid-retained"));
    gate.close();
    Subscription subscription = subscription(options);
    CompletableFuture<Void> started = CompletableFuture.runAsync(subscription::start);

    gate.awaitFailure(); // the first catch-up failed
    String missed = broker.append(FakeBroker.sessionRevoked("sid-missed"));
    String live = broker.revoke(FakeBroker.sessionRevoked("sid-live"));
    await().atMost(WAIT).until(() -> listener.ids().contains(live));
    assertThat(started).isNotDone();
    assertThat(subscription.lastSeenId()).isEmpty();
    gate.open();

    started.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    awaitExactly(List.of(live, retained, missed));
    assertThat(subscription.lastSeenId()).contains(live);
  }

  @Test
  void whenAStreamReadThrowsAnErrorThenItIsLoggedAndTheCatchUpIsRetriedInsteadOfHanging() {
    SessionBrokerOptions options = options();
    FakeBroker broker = broker(options);
    String retained = broker.append(FakeBroker.sessionRevoked("sid-retained"));
    gate.errorOnce = new StackOverflowError("injected");
    Subscription subscription = subscription(options);

    assertTimeoutPreemptively(WAIT, subscription::start);

    assertThat(listener.ids()).containsExactly(retained);
  }

  @Test
  void whenTheStreamCannotBeReadWithinTheStartTimeoutThenStartFailsNamingTheCause() {
    SessionBrokerOptions options =
        options().toBuilder().startTimeout(Duration.ofMillis(800)).build();
    gate.runtimeFailure = new RedisConnectionException("injected: NOAUTH for XRANGE");
    gate.close();
    Subscription subscription = subscription(options);

    assertThatThrownBy(subscription::start)
        .isInstanceOf(SessionBrokerException.class)
        .hasMessageContaining("within the start timeout of 800 ms")
        .hasMessageContaining("injected: NOAUTH for XRANGE");
  }
}
