package io.sessionbroker.client.servlet;

import io.sessionbroker.client.RevocationChecker;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the current {@link HttpSession} of every request against the local revoked set and
 * invalidates it when revoked, before the application sees the request; the application then finds
 * no session and signs the user in again. The check is in memory (no Redis call).
 *
 * <p>A signed-in session (one with {@link SessionAttributes#SID} or {@link SessionAttributes#SUB})
 * is revoked when its sid, its user (for sessions created before the revocation), the whole client
 * (likewise) or its registered session id was revoked; any other session only by its registered
 * session id.
 *
 * <p>Construct it with a {@link RevocationChecker} (the {@link
 * io.sessionbroker.client.SessionBrokerClient}), or declare it in {@code web.xml} and put the
 * checker into the servlet context attribute {@link #CHECKER_ATTRIBUTE}.
 */
public final class RevocationFilter implements Filter {

  /** Servlet context attribute holding the {@link RevocationChecker} for the no-arg form. */
  public static final String CHECKER_ATTRIBUTE = RevocationChecker.class.getName();

  private static final Logger LOG = LoggerFactory.getLogger(RevocationFilter.class);

  private volatile RevocationChecker checker;

  /** A filter that takes its checker from the servlet context in {@link #init}. */
  public RevocationFilter() {}

  /** A filter with the given checker. */
  public RevocationFilter(RevocationChecker checker) {
    this.checker = Objects.requireNonNull(checker, "checker");
  }

  @Override
  public void init(FilterConfig config) throws ServletException {
    if (checker != null) {
      return;
    }
    Object fromContext = config.getServletContext().getAttribute(CHECKER_ATTRIBUTE);
    if (!(fromContext instanceof RevocationChecker found)) {
      throw new ServletException(
          "No RevocationChecker in servlet context attribute " + CHECKER_ATTRIBUTE);
    }
    checker = found;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (request instanceof HttpServletRequest http) {
      HttpSession session = http.getSession(false);
      if (session != null && isRevoked(session)) {
        try {
          session.invalidate();
          LOG.debug("Invalidated a revoked session on request to {}", http.getRequestURI());
        } catch (IllegalStateException alreadyInvalidated) {
          // Invalidated concurrently, e.g. by the SessionTracker: the outcome is the same.
        }
      }
    }
    chain.doFilter(request, response);
  }

  /** Whether the session is revoked according to the checker. */
  boolean isRevoked(HttpSession session) {
    RevocationChecker current = checker;
    if (current == null) {
      throw new IllegalStateException("RevocationFilter used before init");
    }
    try {
      if (current.isSessionRevoked(SessionAttributes.registeredId(session))) {
        return true;
      }
      return SessionAttributes.isSignedIn(session)
          && current.isRevoked(
              SessionAttributes.sid(session),
              SessionAttributes.sub(session),
              SessionAttributes.createdAt(session));
    } catch (IllegalStateException alreadyInvalidated) {
      return false;
    }
  }
}
