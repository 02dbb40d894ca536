package io.sessionbroker.client.internal;

import io.sessionbroker.client.EventType;
import io.sessionbroker.client.ForgottenRevocationPolicy;
import io.sessionbroker.client.RevocationChecker;
import io.sessionbroker.client.RevocationEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local, bounded memory of revocations: revoked sids, revoked session ids and users revoked
 * before an instant, plus the client-wide not-before (SPEC §3.4).
 *
 * <p>Reads are lock-free (one hash lookup). Writes are serialised. Each entry expires {@code ttl}
 * after its event's {@code at}; beyond {@code maxEntries} the oldest entries are evicted first.
 * Forgetting must never make a revoked session look live, so every eviction or expiry raises the
 * <em>watermark</em> to the forgotten entry's time: a session created before it that is not found
 * revoked is unknown, and the {@link ForgottenRevocationPolicy} answers for it.
 *
 * <p>Times compare with a clock-skew allowance that only ever widens "revoked": a session counts as
 * created before an instant {@code t} when its creation time minus the skew is before {@code t}.
 */
public final class RevokedSet implements RevocationChecker {

  private static final Logger LOG = LoggerFactory.getLogger(RevokedSet.class);

  private final int maxEntries;
  private final Duration ttl;
  private final Clock clock;
  private final Duration clockSkew;
  private final ForgottenRevocationPolicy forgottenPolicy;
  private final AtomicReference<Instant> watermark = new AtomicReference<>();
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final ArrayDeque<Insertion> insertionOrder = new ArrayDeque<>();
  private final AtomicReference<Instant> clientNotBefore = new AtomicReference<>();
  private long nextStamp;

  private record Entry(Instant revokedBefore, Instant expiresAt, long stamp) {}

  private record Insertion(String key, long stamp) {}

  /** An empty set with no skew allowance that treats forgotten sessions as revoked. */
  public RevokedSet(int maxEntries, Duration ttl, Clock clock) {
    this(maxEntries, ttl, clock, Duration.ZERO, ForgottenRevocationPolicy.TREAT_AS_REVOKED);
  }

  /**
   * An empty set.
   *
   * @param maxEntries the most entries kept
   * @param ttl how long an entry lives after its event's {@code at}
   * @param clock for expiry
   * @param clockSkew allowance when comparing session times with revocation times, not negative
   * @param forgottenPolicy the answer for sessions created before the watermark
   */
  public RevokedSet(
      int maxEntries,
      Duration ttl,
      Clock clock,
      Duration clockSkew,
      ForgottenRevocationPolicy forgottenPolicy) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.maxEntries = maxEntries;
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
    this.forgottenPolicy = Objects.requireNonNull(forgottenPolicy, "forgottenPolicy");
  }

  /** Records what the event revokes. */
  public synchronized void apply(RevocationEvent event) {
    Instant expiresAt = event.at().plus(ttl);
    if (event.sid() != null && event.type() == EventType.SESSION_REVOKED) {
      put(sidKey(event.sid()), event.at(), expiresAt);
    }
    for (String sessionId : event.sessionIds()) {
      put(sessionKey(sessionId), event.at(), expiresAt);
    }
    if (event.type() == EventType.USER_REVOKED && event.sub() != null) {
      put(subKey(event.sub()), event.at(), expiresAt);
    }
    if (event.type() == EventType.CLIENT_REVOKED && event.notBefore() != null) {
      clientNotBefore.accumulateAndGet(event.notBefore(), RevokedSet::later);
    }
    dropExpiredAndOverflow();
  }

  @Override
  public boolean isRevoked(String sid) {
    return sid != null && live(entries.get(sidKey(sid))) != null;
  }

  @Override
  public boolean isSessionRevoked(String sessionId) {
    return sessionId != null && live(entries.get(sessionKey(sessionId))) != null;
  }

  /**
   * {@inheritDoc}
   *
   * <p>A revoked {@code sid} revokes the session unless the session was created after the
   * revocation (beyond the skew), as when Keycloak keeps an SSO session alive after a client-only
   * logout and signs the user in again. A session created before the watermark and not found
   * revoked is answered by the {@link ForgottenRevocationPolicy}.
   */
  @Override
  public boolean isRevoked(String sid, String sub, Instant sessionCreatedAt) {
    Objects.requireNonNull(sessionCreatedAt, "sessionCreatedAt");
    Instant now = clock.instant();
    Instant notBefore = clientNotBefore.get();
    if (notBefore != null && createdBefore(sessionCreatedAt, notBefore)) {
      return true;
    }
    boolean forgotten = false;
    for (Entry entry :
        new Entry[] {
          sid == null ? null : entries.get(sidKey(sid)),
          sub == null ? null : entries.get(subKey(sub))
        }) {
      if (entry != null && createdBefore(sessionCreatedAt, entry.revokedBefore())) {
        if (entry.expiresAt().isAfter(now)) {
          return true;
        }
        forgotten = true; // expired but not yet dropped: as good as forgotten
      }
    }
    Instant mark = watermark.get();
    if (forgotten || mark != null && createdBefore(sessionCreatedAt, mark)) {
      return askForgottenPolicy(sid, sub, sessionCreatedAt);
    }
    return false;
  }

  /** The watermark: revocations before it may have been forgotten; empty while none was. */
  public Optional<Instant> watermark() {
    return Optional.ofNullable(watermark.get());
  }

  /**
   * Declares that revocations before {@code instant} may have been forgotten without passing
   * through this set (the broker's retention trimmed them from the stream before this process read
   * them): raises the watermark to {@code instant} when it is later. Sessions created before it are
   * then judged by the {@link ForgottenRevocationPolicy}, as after an eviction.
   */
  public void forgetBefore(Instant instant) {
    watermark.accumulateAndGet(Objects.requireNonNull(instant, "instant"), RevokedSet::later);
  }

  private boolean createdBefore(Instant createdAt, Instant revokedAt) {
    return createdAt.minus(clockSkew).isBefore(revokedAt);
  }

  private boolean askForgottenPolicy(String sid, String sub, Instant createdAt) {
    try {
      return forgottenPolicy.isRevoked(sid, sub, createdAt);
    } catch (RuntimeException e) {
      LOG.warn("The forgotten-revocation policy failed; treating the session as revoked", e);
      return true;
    }
  }

  /** How many sids, session ids and users are remembered now. */
  public int size() {
    return entries.size();
  }

  private void put(String key, Instant revokedBefore, Instant expiresAt) {
    if (!expiresAt.isAfter(clock.instant())) {
      // Replayed from long ago: remembered only through the watermark.
      watermark.accumulateAndGet(revokedBefore, RevokedSet::later);
      return;
    }
    Entry previous = entries.get(key);
    if (previous != null) {
      revokedBefore = later(previous.revokedBefore(), revokedBefore);
      expiresAt = later(previous.expiresAt(), expiresAt);
    }
    long stamp = nextStamp++;
    entries.put(key, new Entry(revokedBefore, expiresAt, stamp));
    insertionOrder.addLast(new Insertion(key, stamp));
  }

  private void dropExpiredAndOverflow() {
    Instant now = clock.instant();
    while (!insertionOrder.isEmpty()) {
      Insertion oldest = insertionOrder.peekFirst();
      Entry entry = entries.get(oldest.key());
      boolean stale = entry == null || entry.stamp() != oldest.stamp();
      if (stale) {
        insertionOrder.pollFirst();
      } else if (entries.size() > maxEntries || !entry.expiresAt().isAfter(now)) {
        insertionOrder.pollFirst();
        entries.remove(oldest.key(), entry);
        watermark.accumulateAndGet(entry.revokedBefore(), RevokedSet::later);
      } else {
        break;
      }
    }
    if (insertionOrder.size() > 2 * maxEntries) {
      insertionOrder.removeIf(insertion -> isStale(insertion));
    }
  }

  private boolean isStale(Insertion insertion) {
    Entry entry = entries.get(insertion.key());
    return entry == null || entry.stamp() != insertion.stamp();
  }

  private Entry live(Entry entry) {
    return entry != null && entry.expiresAt().isAfter(clock.instant()) ? entry : null;
  }

  private static Instant later(Instant a, Instant b) {
    if (b == null) {
      return a;
    }
    return a == null || b.isAfter(a) ? b : a;
  }

  private static String sidKey(String sid) {
    return "sid:" + sid;
  }

  private static String sessionKey(String sessionId) {
    return "session:" + sessionId;
  }

  private static String subKey(String sub) {
    return "sub:" + sub;
  }
}
