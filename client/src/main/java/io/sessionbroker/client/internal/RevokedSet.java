package io.sessionbroker.client.internal;

import io.sessionbroker.client.EventType;
import io.sessionbroker.client.RevocationChecker;
import io.sessionbroker.client.RevocationEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The local, bounded memory of revocations: revoked sids, revoked session ids and users revoked
 * before an instant, plus the client-wide not-before.
 *
 * <p>Reads are lock-free (one hash lookup). Writes are serialised. Each entry expires {@code ttl}
 * after its event's {@code at}; beyond {@code maxEntries} the oldest entries are evicted first.
 */
public final class RevokedSet implements RevocationChecker {

  private final int maxEntries;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final ArrayDeque<Insertion> insertionOrder = new ArrayDeque<>();
  private final AtomicReference<Instant> clientNotBefore = new AtomicReference<>();
  private long nextStamp;

  private record Entry(Instant revokedBefore, Instant expiresAt, long stamp) {}

  private record Insertion(String key, long stamp) {}

  /** An empty set. */
  public RevokedSet(int maxEntries, Duration ttl, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.maxEntries = maxEntries;
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.clock = Objects.requireNonNull(clock, "clock");
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

  @Override
  public boolean isRevoked(String sid, String sub, Instant sessionCreatedAt) {
    Objects.requireNonNull(sessionCreatedAt, "sessionCreatedAt");
    if (isRevoked(sid)) {
      return true;
    }
    Instant notBefore = clientNotBefore.get();
    if (notBefore != null && sessionCreatedAt.isBefore(notBefore)) {
      return true;
    }
    Entry user = sub == null ? null : live(entries.get(subKey(sub)));
    return user != null && sessionCreatedAt.isBefore(user.revokedBefore());
  }

  /** How many sids, session ids and users are remembered now. */
  public int size() {
    return entries.size();
  }

  private void put(String key, Instant revokedBefore, Instant expiresAt) {
    if (!expiresAt.isAfter(clock.instant())) {
      return; // Replayed from long ago: every session it could revoke has expired already.
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
