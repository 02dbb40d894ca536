package io.sessionbroker.client.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionbroker.client.RevocationEvent;
import io.sessionbroker.client.RevocationListener;
import io.sessionbroker.client.SessionBrokerOptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every open browser tab of a session the moment the session is revoked (SPEC §3.4, live
 * push). Register it as a {@link RevocationListener} of the {@link
 * io.sessionbroker.client.SessionBrokerClient}; the web framework's server-sent-events endpoint
 * {@link #open opens} one stream per tab.
 *
 * <p>On a revocation that ends a session, each of its tabs receives one event and its stream is
 * closed:
 *
 * <pre>
 * event: revoked
 * data: {"id":"1764000000000-0","type":"session.revoked","reason":"backchannel_logout",
 *        "at":"2026-11-24T05:49:43.004Z","notBefore":null,"delayMillis":3}
 * </pre>
 *
 * ({@code delayMillis}: from the broker's {@code at} to the push, on this server's clock.) A tab
 * whose session has already ended when it connects gets {@code event: signed-out} with {@code data:
 * {}}.
 *
 * <p>Bounded: at most {@link #DEFAULT_MAX_STREAMS_PER_SESSION} streams per session (more are
 * refused), a heartbeat comment every {@link #DEFAULT_HEARTBEAT} that also drops streams whose tab
 * is gone, and removal when the framework reports the stream closed. Writes happen on the hub's own
 * thread, never on the client's dispatcher thread, so a slow tab cannot delay revocations.
 *
 * <p>Thread-safe. {@link #close()} ends every stream.
 */
public final class SessionEventsHub implements RevocationListener, AutoCloseable {

  /** The class-path resource of the page script; also served as {@code /session-broker/...}. */
  public static final String SCRIPT_RESOURCE =
      "META-INF/resources/session-broker/session-events.js";

  /** Default most open streams (tabs) per session: {@value}. */
  public static final int DEFAULT_MAX_STREAMS_PER_SESSION = 8;

  /** Default heartbeat interval: 20 seconds. */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(20);

  private static final Logger LOG = LoggerFactory.getLogger(SessionEventsHub.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int maxStreamsPerSession;
  private final Duration clockSkew;
  private final Clock clock;
  private final ScheduledExecutorService writer;
  private final Map<String, Set<Stream>> bySession = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** One open stream. */
  private final class Stream implements Registration {
    private final SessionKeys keys;
    private final PushSink sink;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Stream(SessionKeys keys, PushSink sink) {
      this.keys = keys;
      this.sink = sink;
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        Set<Stream> streams = bySession.get(keys.sessionId());
        if (streams != null) {
          streams.remove(this);
          bySession.computeIfPresent(keys.sessionId(), (id, set) -> set.isEmpty() ? null : set);
        }
        sink.close();
      }
    }
  }

  /** An open stream's handle; close it when the framework reports the stream closed. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /** Thrown by {@link #open} when a session already has the most streams allowed. */
  public static final class TooManyStreamsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManyStreamsException(int max) {
      super("This session already has " + max + " open event streams");
    }
  }

  /** A hub with the default limits and the default clock-skew allowance. */
  public SessionEventsHub() {
    this(
        DEFAULT_MAX_STREAMS_PER_SESSION,
        DEFAULT_HEARTBEAT,
        SessionBrokerOptions.DEFAULT_CLOCK_SKEW,
        Clock.systemUTC());
  }

  /**
   * A hub.
   *
   * @param maxStreamsPerSession the most open streams per session, at least 1
   * @param heartbeat the heartbeat interval, positive
   * @param clockSkew the client's clock-skew allowance ({@link SessionBrokerOptions#clockSkew()})
   * @param clock for {@code delayMillis}
   */
  public SessionEventsHub(
      int maxStreamsPerSession, Duration heartbeat, Duration clockSkew, Clock clock) {
    if (maxStreamsPerSession < 1) {
      throw new IllegalArgumentException("maxStreamsPerSession must be positive");
    }
    if (heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("heartbeat must be positive");
    }
    this.maxStreamsPerSession = maxStreamsPerSession;
    this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
    this.clock = Objects.requireNonNull(clock, "clock");
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "session-broker-push");
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    this.writer = executor;
    writer.scheduleWithFixedDelay(
        this::heartbeatAll, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Registers one tab's stream for a signed-in session.
   *
   * @return the handle to close when the framework reports the stream closed
   * @throws TooManyStreamsException when the session has {@code maxStreamsPerSession} already
   */
  public Registration open(SessionKeys keys, PushSink sink) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(sink, "sink");
    if (closed.get()) {
      throw new IllegalStateException("The hub is closed");
    }
    Stream stream = new Stream(keys, sink);
    boolean[] added = {false};
    bySession.compute(
        keys.sessionId(),
        (id, streams) -> {
          Set<Stream> set = streams != null ? streams : new CopyOnWriteArraySet<>();
          if (set.size() < maxStreamsPerSession) {
            set.add(stream);
            added[0] = true;
          }
          return set;
        });
    if (!added[0]) {
      throw new TooManyStreamsException(maxStreamsPerSession);
    }
    return stream;
  }

  /** Tells a tab whose session has already ended, then closes its stream. */
  public void sendSignedOut(PushSink sink) {
    writer.execute(
        () -> {
          try {
            sink.send("signed-out", "{}");
          } catch (IOException gone) {
            // The tab left already.
          } finally {
            sink.close();
          }
        });
  }

  /** How many streams are open now. */
  public int openStreams() {
    return bySession.values().stream().mapToInt(Set::size).sum();
  }

  @Override
  public void onRevocation(RevocationEvent event) {
    List<Stream> ended = new ArrayList<>();
    for (Set<Stream> streams : bySession.values()) {
      for (Stream stream : streams) {
        if (ends(event, stream.keys)) {
          ended.add(stream);
        }
      }
    }
    if (ended.isEmpty()) {
      return;
    }
    writer.execute(() -> push(event, ended));
  }

  private void push(RevocationEvent event, List<Stream> streams) {
    ObjectNode data = JSON.createObjectNode();
    data.put("id", event.id());
    data.put("type", event.type().wireName());
    data.put("reason", event.reason().wireName());
    data.put("at", event.at().toString());
    data.put("notBefore", event.notBefore() == null ? null : event.notBefore().toString());
    data.put("delayMillis", Math.max(0, Duration.between(event.at(), clock.instant()).toMillis()));
    String json = data.toString();
    for (Stream stream : streams) {
      try {
        stream.sink.send("revoked", json);
      } catch (IOException gone) {
        LOG.debug("A tab's event stream was gone when event {} was pushed", event.id());
      } finally {
        stream.close();
      }
    }
    LOG.debug("Event {} pushed to {} tab(s)", event.id(), streams.size());
  }

  /** The same rule as the revoked set and the session tracker, with the same skew allowance. */
  private boolean ends(RevocationEvent event, SessionKeys keys) {
    if (event.sessionIds().contains(keys.sessionId())) {
      return true;
    }
    return switch (event.type()) {
      case SESSION_REVOKED -> keys.sid() != null && keys.sid().equals(event.sid());
      case USER_REVOKED ->
          keys.sub() != null && keys.sub().equals(event.sub()) && before(keys, event.at());
      case CLIENT_REVOKED -> event.notBefore() != null && before(keys, event.notBefore());
    };
  }

  private boolean before(SessionKeys keys, Instant revokedAt) {
    return keys.createdAt().minus(clockSkew).isBefore(revokedAt);
  }

  private void heartbeatAll() {
    for (Set<Stream> streams : bySession.values()) {
      for (Stream stream : streams) {
        try {
          stream.sink.heartbeat();
        } catch (IOException | RuntimeException gone) {
          stream.close();
        }
      }
    }
  }

  /** Ends every stream and stops the hub's thread. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    writer.shutdownNow();
    for (Set<Stream> streams : bySession.values()) {
      streams.forEach(Stream::close);
    }
    bySession.clear();
  }
}
