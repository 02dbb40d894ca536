package io.sessionbroker.client.servlet;

import io.sessionbroker.client.EventType;
import io.sessionbroker.client.RevocationEvent;
import io.sessionbroker.client.RevocationListener;
import io.sessionbroker.client.SessionBrokerOptions;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows the live {@link HttpSession}s of this application instance by SSO session id, user and
 * registered session id, and invalidates them the moment a revocation arrives.
 *
 * <p>Register it twice: as a servlet listener (so it sees sessions come, change and go) and as a
 * {@link io.sessionbroker.client.RevocationListener} of the {@link
 * io.sessionbroker.client.SessionBrokerClient}; {@link SessionBrokerServlet#install} does both.
 * Sessions are indexed from the attributes in {@link SessionAttributes}. The {@link
 * RevocationFilter} stays needed as a second line: it catches sessions that a revocation could not
 * reach here (another instance's session arriving through a shared session store, or one revoked
 * before its attributes were set).
 */
public final class SessionTracker
    implements HttpSessionListener,
        HttpSessionAttributeListener,
        HttpSessionIdListener,
        RevocationListener {

  private static final Logger LOG = LoggerFactory.getLogger(SessionTracker.class);

  /** What a session was indexed under, so that re-indexing can remove it again. */
  private record Keys(String sid, String sub, String registeredId) {}

  private final Duration clockSkew;
  private final Map<String, HttpSession> sessions = new HashMap<>();
  private final Map<String, Keys> keysBySession = new HashMap<>();
  private final Map<String, Set<String>> bySid = new HashMap<>();
  private final Map<String, Set<String>> bySub = new HashMap<>();
  private final Map<String, String> byRegisteredId = new HashMap<>();

  /**
   * A tracker with the default clock-skew allowance ({@link
   * SessionBrokerOptions#DEFAULT_CLOCK_SKEW}).
   */
  public SessionTracker() {
    this(SessionBrokerOptions.DEFAULT_CLOCK_SKEW);
  }

  /**
   * A tracker that counts a session created up to {@code clockSkew} after a user- or client-wide
   * revocation as created before it (so that clock differences never leave a revoked session live).
   */
  public SessionTracker(Duration clockSkew) {
    this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
  }

  @Override
  public void sessionCreated(HttpSessionEvent event) {
    track(event.getSession());
  }

  @Override
  public void sessionDestroyed(HttpSessionEvent event) {
    untrack(event.getSession().getId());
  }

  @Override
  public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
    untrack(oldSessionId);
    track(event.getSession());
  }

  @Override
  public void attributeAdded(HttpSessionBindingEvent event) {
    reindexIfRelevant(event);
  }

  @Override
  public void attributeRemoved(HttpSessionBindingEvent event) {
    reindexIfRelevant(event);
  }

  @Override
  public void attributeReplaced(HttpSessionBindingEvent event) {
    reindexIfRelevant(event);
  }

  /** How many live sessions are tracked. */
  public synchronized int trackedSessions() {
    return sessions.size();
  }

  /** Invalidates every tracked session the event revokes. */
  @Override
  public void onRevocation(RevocationEvent event) {
    List<HttpSession> revoked = revokedBy(event);
    int invalidated = 0;
    for (HttpSession session : revoked) {
      if (invalidate(session)) {
        invalidated++;
      }
    }
    LOG.debug("Event {} ({}) invalidated {} session(s)", event.id(), event.type(), invalidated);
  }

  private synchronized List<HttpSession> revokedBy(RevocationEvent event) {
    Set<String> ids = new LinkedHashSet<>();
    for (String registeredId : event.sessionIds()) {
      String sessionId = byRegisteredId.getOrDefault(registeredId, registeredId);
      if (sessions.containsKey(sessionId)) {
        ids.add(sessionId);
      }
    }
    if (event.type() == EventType.SESSION_REVOKED && event.sid() != null) {
      ids.addAll(bySid.getOrDefault(event.sid(), Set.of()));
    } else if (event.type() == EventType.USER_REVOKED && event.sub() != null) {
      addCreatedBefore(ids, bySub.getOrDefault(event.sub(), Set.of()), event.at());
    } else if (event.type() == EventType.CLIENT_REVOKED && event.notBefore() != null) {
      Set<String> signedIn = new LinkedHashSet<>();
      keysBySession.forEach(
          (sessionId, keys) -> {
            if (keys.sid() != null || keys.sub() != null) {
              signedIn.add(sessionId);
            }
          });
      addCreatedBefore(ids, signedIn, event.notBefore());
    }
    List<HttpSession> result = new ArrayList<>(ids.size());
    ids.forEach(
        id -> {
          HttpSession session = sessions.get(id);
          if (session != null) {
            result.add(session);
          }
        });
    return result;
  }

  private void addCreatedBefore(Set<String> into, Set<String> candidates, Instant cutoff) {
    for (String id : candidates) {
      HttpSession session = sessions.get(id);
      try {
        if (session != null
            && SessionAttributes.createdAt(session).minus(clockSkew).isBefore(cutoff)) {
          into.add(id);
        }
      } catch (IllegalStateException alreadyInvalidated) {
        // Gone meanwhile: its sessionDestroyed callback untracks it.
      }
    }
  }

  private static boolean invalidate(HttpSession session) {
    try {
      session.invalidate();
      return true;
    } catch (IllegalStateException alreadyInvalidated) {
      return false;
    }
  }

  private void reindexIfRelevant(HttpSessionBindingEvent event) {
    String name = event.getName();
    if (SessionAttributes.SID.equals(name)
        || SessionAttributes.SUB.equals(name)
        || SessionAttributes.SESSION_ID.equals(name)) {
      track(event.getSession());
    }
  }

  private synchronized void track(HttpSession session) {
    Keys keys;
    try {
      keys =
          new Keys(
              SessionAttributes.sid(session),
              SessionAttributes.sub(session),
              SessionAttributes.registeredId(session));
    } catch (IllegalStateException alreadyInvalidated) {
      return;
    }
    String id = session.getId();
    removeKeys(id);
    sessions.put(id, session);
    keysBySession.put(id, keys);
    if (keys.sid() != null) {
      bySid.computeIfAbsent(keys.sid(), key -> new LinkedHashSet<>()).add(id);
    }
    if (keys.sub() != null) {
      bySub.computeIfAbsent(keys.sub(), key -> new LinkedHashSet<>()).add(id);
    }
    if (!keys.registeredId().equals(id)) {
      byRegisteredId.put(keys.registeredId(), id);
    }
  }

  private synchronized void untrack(String sessionId) {
    removeKeys(sessionId);
    sessions.remove(sessionId);
  }

  private void removeKeys(String sessionId) {
    Keys keys = keysBySession.remove(sessionId);
    if (keys == null) {
      return;
    }
    removeFromIndex(bySid, keys.sid(), sessionId);
    removeFromIndex(bySub, keys.sub(), sessionId);
    byRegisteredId.remove(keys.registeredId(), sessionId);
  }

  private static void removeFromIndex(Map<String, Set<String>> index, String key, String id) {
    if (key == null) {
      return;
    }
    Set<String> ids = index.get(key);
    if (ids != null && ids.remove(id) && ids.isEmpty()) {
      index.remove(key);
    }
  }
}
