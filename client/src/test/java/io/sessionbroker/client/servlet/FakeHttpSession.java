package io.sessionbroker.client.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import java.time.Instant;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;

/**
 * A hand-written in-memory {@link HttpSession} that, like a container, tells a {@link
 * SessionTracker} about creation, attribute changes and invalidation.
 */
final class FakeHttpSession implements HttpSession {

  private String id;
  private final long creationTime;
  private final SessionTracker tracker;
  private final Map<String, Object> attributes = new HashMap<>();
  private boolean valid = true;

  FakeHttpSession(String id, Instant createdAt, SessionTracker tracker) {
    this.id = id;
    this.creationTime = createdAt.toEpochMilli();
    this.tracker = tracker;
    if (tracker != null) {
      tracker.sessionCreated(new HttpSessionEvent(this));
    }
  }

  /** Like {@code HttpServletRequest#changeSessionId()} after sign-in. */
  void changeId(String newId) {
    String oldId = id;
    id = newId;
    if (tracker != null) {
      tracker.sessionIdChanged(new HttpSessionEvent(this), oldId);
    }
  }

  boolean isValid() {
    return valid;
  }

  private void checkValid() {
    if (!valid) {
      throw new IllegalStateException("session invalidated");
    }
  }

  @Override
  public long getCreationTime() {
    checkValid();
    return creationTime;
  }

  @Override
  public String getId() {
    return id;
  }

  @Override
  public long getLastAccessedTime() {
    checkValid();
    return creationTime;
  }

  @Override
  public ServletContext getServletContext() {
    return null;
  }

  @Override
  public void setMaxInactiveInterval(int interval) {}

  @Override
  public int getMaxInactiveInterval() {
    return 1800;
  }

  @Override
  public Object getAttribute(String name) {
    checkValid();
    return attributes.get(name);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    checkValid();
    return Collections.enumeration(attributes.keySet());
  }

  @Override
  public void setAttribute(String name, Object value) {
    checkValid();
    Object old = attributes.put(name, value);
    if (tracker != null) {
      HttpSessionBindingEvent event = new HttpSessionBindingEvent(this, name, value);
      if (old == null) {
        tracker.attributeAdded(event);
      } else {
        tracker.attributeReplaced(event);
      }
    }
  }

  @Override
  public void removeAttribute(String name) {
    checkValid();
    Object old = attributes.remove(name);
    if (tracker != null && old != null) {
      tracker.attributeRemoved(new HttpSessionBindingEvent(this, name, old));
    }
  }

  @Override
  public void invalidate() {
    checkValid();
    if (tracker != null) {
      tracker.sessionDestroyed(new HttpSessionEvent(this));
    }
    valid = false;
    attributes.clear();
  }

  @Override
  public boolean isNew() {
    checkValid();
    return false;
  }
}
