package io.sessionbroker.client.servlet;

import io.sessionbroker.client.RevocationChecker;
import io.sessionbroker.client.push.PushSink;
import io.sessionbroker.client.push.SessionEventsHub;
import io.sessionbroker.client.push.SessionKeys;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The browser side of live push (SPEC §3.4), as an async Jakarta Servlet. Map it to {@code
 * /session-broker/*} (as {@link SessionBrokerServlet#installSessionEvents} does) with async
 * support; it serves:
 *
 * <ul>
 *   <li>{@code GET /session-broker/events}: a {@code text/event-stream} for the caller's {@link
 *       HttpSession}; see {@link SessionEventsHub} for the events. A request without a signed-in
 *       session (see {@link SessionAttributes}), or whose session is revoked, gets {@code
 *       signed-out} at once. {@code 429} when the session has the most streams allowed open.
 *   <li>{@code GET /session-broker/session-events.js}: the page script. Include it in signed-in
 *       pages:
 *       <pre>{@code
 * <script src="/session-broker/session-events.js" defer
 *         data-events-url="/session-broker/events"
 *         data-signed-out-url="/signed-out"></script>
 * }</pre>
 * </ul>
 */
public final class SessionEventsServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final byte[] SCRIPT = readScript();

  private final transient SessionEventsHub hub;
  private final transient RevocationChecker checker;

  /**
   * A servlet that opens streams on {@code hub} and re-checks each new stream's session with {@code
   * checker} (the client), so a revocation that lands while the tab connects is not missed.
   */
  public SessionEventsServlet(SessionEventsHub hub, RevocationChecker checker) {
    this.hub = Objects.requireNonNull(hub, "hub");
    this.checker = Objects.requireNonNull(checker, "checker");
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String path = request.getPathInfo() == null ? "" : request.getPathInfo();
    switch (path) {
      case "/events" -> stream(request, response);
      case "/session-events.js" -> script(response);
      default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  private static void script(HttpServletResponse response) throws IOException {
    response.setContentType("text/javascript;charset=UTF-8");
    response.setHeader("Cache-Control", "public, max-age=300");
    response.setContentLength(SCRIPT.length);
    response.getOutputStream().write(SCRIPT);
  }

  private void stream(HttpServletRequest request, HttpServletResponse response) throws IOException {
    SessionKeys keys = keysOf(request.getSession(false));
    // Headers first: a push may write as soon as the stream is registered.
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("text/event-stream;charset=UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Accel-Buffering", "no"); // NGINX: do not buffer the stream
    ServletSink sink = new ServletSink(response);
    SessionEventsHub.Registration registration = null;
    if (keys != null) {
      try {
        registration = hub.open(keys, sink);
      } catch (SessionEventsHub.TooManyStreamsException e) {
        response.reset();
        response.sendError(429, e.getMessage());
        return;
      }
    }
    AsyncContext async = request.startAsync();
    async.setTimeout(0); // bounded by the heartbeat, which finds tabs that are gone
    if (registration != null) {
      async.addListener(new CloseOnEnd(registration));
    }
    sink.attach(async);
    if (registration == null) {
      hub.sendSignedOut(sink);
      return;
    }
    try {
      sink.open();
    } catch (IOException gone) {
      sink.close();
      return;
    }
    // A revocation that landed between the session lookup and hub.open() was not pushed here.
    if (checker.isRevoked(keys.sid(), keys.sub(), keys.createdAt())
        || checker.isSessionRevoked(keys.sessionId())) {
      hub.sendSignedOut(sink); // its completion closes the registration too
    }
  }

  private static SessionKeys keysOf(HttpSession session) {
    if (session == null) {
      return null;
    }
    try {
      if (!SessionAttributes.isSignedIn(session)) {
        return null;
      }
      return new SessionKeys(
          SessionAttributes.registeredId(session),
          SessionAttributes.sid(session),
          SessionAttributes.sub(session),
          SessionAttributes.createdAt(session));
    } catch (IllegalStateException invalidated) {
      return null;
    }
  }

  private static byte[] readScript() {
    try (InputStream in =
        SessionEventsServlet.class
            .getClassLoader()
            .getResourceAsStream(SessionEventsHub.SCRIPT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource " + SessionEventsHub.SCRIPT_RESOURCE);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes SSE frames to the async response; one writer at a time. Closing before the async context
   * is attached completes it as soon as it is.
   */
  private static final class ServletSink implements PushSink {
    private final HttpServletResponse response;
    private AsyncContext async;
    private boolean closed;

    ServletSink(HttpServletResponse response) {
      this.response = response;
    }

    synchronized void attach(AsyncContext context) {
      async = context;
      if (closed) {
        complete();
      }
    }

    /** Sends the reconnect delay and commits the response, so the browser's stream opens. */
    synchronized void open() throws IOException {
      write("retry: 3000\n\n");
    }

    @Override
    public synchronized void send(String name, String data) throws IOException {
      write("event: " + name + "\ndata: " + data + "\n\n");
    }

    @Override
    public synchronized void heartbeat() throws IOException {
      write(": keep-alive\n\n");
    }

    private void write(String frame) throws IOException {
      if (closed) {
        throw new IOException("stream closed");
      }
      try {
        response.getOutputStream().write(frame.getBytes(StandardCharsets.UTF_8));
        response.flushBuffer();
      } catch (IllegalStateException completed) {
        throw new IOException("stream completed", completed);
      }
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        if (async != null) {
          complete();
        }
      }
    }

    private void complete() {
      try {
        async.complete();
      } catch (IllegalStateException alreadyCompleted) {
        // The container ended it first (tab closed, error).
      }
    }
  }

  /** Removes the stream from the hub when the container ends it. */
  private record CloseOnEnd(SessionEventsHub.Registration registration) implements AsyncListener {
    @Override
    public void onComplete(AsyncEvent event) {
      registration.close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      registration.close();
    }

    @Override
    public void onError(AsyncEvent event) {
      registration.close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // Not re-dispatched: nothing to do.
    }
  }
}
