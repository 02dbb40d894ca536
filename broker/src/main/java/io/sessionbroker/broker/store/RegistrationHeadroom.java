package io.sessionbroker.broker.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.NewRegistration;
import io.sessionbroker.broker.session.RegistryFullException;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Keeps room in Redis for revocations (SPEC §5, no accepted logout is lost): with {@code
 * maxmemory-policy noeviction} a full Redis refuses every write, so one client registering sessions
 * without end (each living up to {@code session-broker.sessions.max-ttl}) would hold every other
 * client's logouts in the journal for as long as its registrations live. Registrations are refused
 * ({@link RegistryFullException}) once Redis's memory reaches {@code
 * session-broker.registration.max-memory-share} of its {@code maxmemory}; revocations, event
 * appends and journal replay never ask here.
 *
 * <p>No Redis call per registration: {@code INFO memory} is read every {@code
 * session-broker.registration.memory-poll-interval} on a Vert.x timer, without blocking, and
 * between two reads each admitted registration adds its estimated size ({@link #estimatedBytes}) to
 * the last reading, so a burst between two reads cannot run past the limit either. The estimate
 * counts from the moment a reading is asked for; registrations in flight at that moment are covered
 * by the share's headroom. In Redis Cluster each reading comes from the node the client picks for a
 * keyless command.
 *
 * <p>Refusals fall first on the clients that hold more than their share: past {@code
 * max-memory-share} a client is refused only when its estimated live registrations are more than
 * the average of the clients this replica has seen register, so one app flooding the registry
 * cannot deny every other app's sign-in. Past the hard limit, halfway from {@code max-memory-share}
 * to {@code maxmemory}, every registration is refused: that rest is the room of revocations. A
 * client's count is estimated from the reply of the client index write the register path makes
 * anyway (the bucket's entry count times the number of buckets; {@link #recordClientBucket}),
 * smoothed per replica: no Redis call of its own. It is approximate: expired entries not yet swept
 * count, and a client's estimate changes only when it registers, so a client refused for its share
 * stays refused until memory falls below the share.
 */
@ApplicationScoped
public class RegistrationHeadroom {

  private static final Logger LOG = Logger.getLogger(RegistrationHeadroom.class);

  /**
   * What one registration adds to {@code used_memory} besides its ids: the sid hash's fields, the
   * client and user index entries with their expiries, key and encoding overhead. With UUID-based
   * ids (about 130 id characters) Redis 7 took about 680 bytes per registration, which the estimate
   * puts at about 1 KB: between two readings it errs on the side of refusing.
   */
  static final long BYTES_PER_REGISTRATION = 512;

  /** Each id character is stored about this often (sid hash, client index, user index). */
  static final long BYTES_PER_ID_CHAR = 4;

  private final RedisCalls calls;
  private final Vertx vertx;
  private final double maxShare;
  private final Duration pollInterval;
  private final AtomicLong admittedBytes = new AtomicLong();
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicBoolean refusing = new AtomicBoolean();
  private final AtomicBoolean readFailing = new AtomicBoolean();
  private final Map<String, Double> clientEstimates = new ConcurrentHashMap<>();
  private volatile Reading reading;
  private long timer = -1;

  /**
   * One {@code INFO memory} reading.
   *
   * @param used {@code used_memory}, bytes
   * @param max {@code maxmemory}, bytes; 0 = unlimited
   * @param admittedAtRequest {@link #admittedBytes} when the reading was asked for
   */
  record Reading(long used, long max, long admittedAtRequest) {}

  @Inject
  RegistrationHeadroom(
      RedisCalls calls, Vertx vertx, SessionBrokerConfig config, MeterRegistry metrics) {
    this(
        calls,
        vertx,
        config.registration().maxMemoryShare(),
        config.registration().memoryPollInterval(),
        metrics);
  }

  RegistrationHeadroom(
      RedisCalls calls,
      Vertx vertx,
      double maxShare,
      Duration pollInterval,
      MeterRegistry metrics) {
    this.calls = calls;
    this.vertx = vertx;
    this.maxShare = maxShare;
    this.pollInterval = pollInterval;
    metrics.gauge("sessionbroker.redis.memory.used.share", this, RegistrationHeadroom::usedShare);
    metrics.gauge(
        "sessionbroker.registrations.refusing", refusing, state -> state.get() ? 1.0 : 0.0);
  }

  void start(@Observes StartupEvent startup) {
    timer = vertx.setPeriodic(1, Math.max(1, pollInterval.toMillis()), fired -> poll());
  }

  void stop(@Observes ShutdownEvent shutdown) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * Admits one registration, or refuses it when Redis's memory, as last read plus what was admitted
   * since, would pass the share of {@code maxmemory} and its client holds more than its share of
   * the registrations, or would pass the hard limit whatever the client. Costs no Redis call.
   *
   * @throws RegistryFullException when refused
   */
  void admit(NewRegistration registration) {
    long cost = estimatedBytes(registration);
    Reading last = reading;
    if (last == null || last.max() <= 0) {
      admittedBytes.addAndGet(cost);
      return;
    }
    long limit = limit(last.max());
    long hardLimit = limit + (last.max() - limit) / 2;
    while (true) {
      long admitted = admittedBytes.get();
      long estimated = last.used() + (admitted - last.admittedAtRequest()) + cost;
      if (estimated > hardLimit
          || (estimated > limit
              && aboveShare(clientKey(registration.issuer(), registration.clientId())))) {
        if (refusing.compareAndSet(false, true)) {
          LOG.warnf(
              "Refusing new registrations of clients above their share (503 registry_full; every"
                  + " client's past the hard limit): Redis memory would pass %d of"
                  + " maxmemory %d bytes (session-broker.registration.max-memory-share=%s); the"
                  + " rest is kept for revocations",
              limit, last.max(), maxShare);
        }
        throw new RegistryFullException(
            "the session registry is full: Redis memory is kept for revocations; retry later");
      }
      if (admittedBytes.compareAndSet(admitted, admitted + cost)) {
        return;
      }
    }
  }

  /**
   * Takes the entry count of the client index bucket a registration was just written to (the
   * bucket's hash after the write, expired entries not yet swept included) as a sample of the
   * client's live registrations: the bucket holds the new one plus on average {@code 1 / buckets}
   * of the others, so {@code 1 + (entries - 1) * buckets} estimates them all. Samples are averaged
   * with weight 1/16 each.
   *
   * @param entries the bucket's entry count, at least 1
   * @param buckets number of client index buckets ({@link RedisKeys#CLIENT_BUCKETS})
   */
  void recordClientBucket(String issuer, String clientId, long entries, int buckets) {
    double sample = 1 + (double) Math.max(0, entries - 1) * buckets;
    clientEstimates.merge(
        clientKey(issuer, clientId), sample, (old, next) -> old + (next - old) / 16);
  }

  /**
   * Whether a client holds more than its share: more than the average estimate of the clients seen
   * by this replica. A client not seen yet holds nothing.
   */
  boolean aboveShare(String client) {
    Double own = clientEstimates.get(client);
    if (own == null) {
      return false;
    }
    double total = 0;
    int clients = 0;
    for (double estimate : clientEstimates.values()) {
      total += estimate;
      clients++;
    }
    // With a single client its share is everything: it meets the hard limit only.
    return clients > 1 && own * clients > total;
  }

  private static String clientKey(String issuer, String clientId) {
    return issuer + RedisKeys.SEP + clientId;
  }

  /** The last reading's {@code used_memory / maxmemory}; NaN when unknown or unlimited. */
  double usedShare() {
    Reading last = reading;
    return last == null || last.max() <= 0 ? Double.NaN : (double) last.used() / last.max();
  }

  /** Reads {@code INFO memory} unless a reading is still under way; never blocks. */
  void poll() {
    if (!polling.compareAndSet(false, true)) {
      return;
    }
    long admittedAtRequest = admittedBytes.get();
    calls
        .bounded(calls.send(RedisCall.command("INFO", "memory")))
        .subscribe()
        .with(
            reply -> {
              try {
                apply(parse(reply.toString(), admittedAtRequest));
              } catch (RuntimeException e) {
                readFailed(e);
              } finally {
                polling.set(false);
              }
            },
            failure -> {
              readFailed(failure);
              polling.set(false);
            });
  }

  void apply(Reading next) {
    reading = next;
    if (readFailing.compareAndSet(true, false)) {
      LOG.info("Reading Redis INFO memory works again");
    }
    boolean full = next.max() > 0 && next.used() >= limit(next.max());
    if (full && refusing.compareAndSet(false, true)) {
      LOG.warnf(
          "Refusing new registrations of clients above their share (503 registry_full; every"
              + " client's past the hard limit): Redis used_memory %d of maxmemory %d"
              + " bytes is above session-broker.registration.max-memory-share=%s; the rest is kept"
              + " for revocations",
          next.used(), next.max(), maxShare);
    } else if (!full && refusing.compareAndSet(true, false)) {
      LOG.warnf(
          "Accepting registrations again: Redis used_memory %d of maxmemory %d bytes (0:"
              + " unlimited)",
          next.used(), next.max());
    }
  }

  /**
   * The last reading stays: Redis unreachable fails registrations anyway. Without any reading (an
   * ACL without {@code +info}) registrations are not limited.
   */
  private void readFailed(Throwable failure) {
    if (readFailing.compareAndSet(false, true)) {
      LOG.warnf(
          "Cannot read Redis INFO memory, registrations are limited by the last reading only"
              + " (none: not limited): %s",
          failure.toString());
    }
  }

  private long limit(long max) {
    return (long) (max * maxShare);
  }

  /**
   * {@code used_memory} and {@code maxmemory} of an {@code INFO memory} reply.
   *
   * @throws IllegalArgumentException when either is missing
   */
  static Reading parse(String info, long admittedAtRequest) {
    long used = -1;
    long max = -1;
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        used = Long.parseLong(line.substring("used_memory:".length()).trim());
      } else if (line.startsWith("maxmemory:")) {
        max = Long.parseLong(line.substring("maxmemory:".length()).trim());
      }
    }
    if (used < 0 || max < 0) {
      throw new IllegalArgumentException("INFO memory without used_memory or maxmemory");
    }
    return new Reading(used, max, admittedAtRequest);
  }

  /** A registration's estimated share of {@code used_memory}, bytes. */
  static long estimatedBytes(NewRegistration registration) {
    long idChars =
        length(registration.issuer())
            + length(registration.clientId())
            + length(registration.sessionId())
            + length(registration.sid())
            + length(registration.sub());
    return BYTES_PER_REGISTRATION + BYTES_PER_ID_CHAR * idChars;
  }

  private static int length(String value) {
    return value == null ? 0 : value.length();
  }
}
