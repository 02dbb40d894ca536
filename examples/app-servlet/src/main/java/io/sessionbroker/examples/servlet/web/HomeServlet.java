package io.sessionbroker.examples.servlet.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.temporal.ChronoUnit;

/**
 * {@code GET /}: who is signed in, with a "Sign out" button. Nobody signed in: the sign-in starts
 * at once, except when the browser's session just ended (signed out, or revoked through the broker
 * by a logout elsewhere), which says so instead.
 */
public final class HomeServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    HttpSession session = request.getSession(false);
    SignedInUser user =
        session == null ? null : (SignedInUser) session.getAttribute(SignedInUser.ATTRIBUTE);
    if (user != null) {
      Html.write(response, "Signed in", signedIn(user, session));
    } else if (request.getRequestedSessionId() != null && !request.isRequestedSessionIdValid()) {
      // The RevocationFilter or the SessionTracker invalidated it, or it timed out.
      Html.signedOut(response, "Your session has ended.");
    } else {
      response.sendRedirect("/login");
    }
  }

  private static String signedIn(SignedInUser user, HttpSession session) {
    Object registration = session.getAttribute(SessionRegistrar.STATUS_ATTRIBUTE);
    return "<p id=\"status\" class=\"status in\">Signed in as <strong id=\"username\">"
        + Html.escape(user.username())
        + "</strong></p><dl>"
        + "<dt>Name</dt><dd>"
        + Html.escape(user.displayName())
        + "</dd><dt>Signed in at</dt><dd>"
        + Html.escape(user.signedInAt().truncatedTo(ChronoUnit.SECONDS).toString())
        + "</dd><dt>Keycloak session (sid)</dt><dd><code id=\"sid\">"
        + Html.escape(user.sid())
        + "</code></dd><dt>Session Broker</dt><dd id=\"registration\">"
        + Html.escape(registration == null ? "not registered" : registration.toString())
        + "</dd></dl>"
        + "<form method=\"post\" action=\"/logout\">"
        + "<button id=\"sign-out\" type=\"submit\">Sign out</button></form>"
        + "<p class=\"hint\">Signing out here ends the Keycloak session. Keycloak tells the"
        + " Session Broker, and the broker tells every app of that session (app2 too) to drop"
        + " it.</p>"
        // Live push: this tab learns of a revocation at once, without a reload.
        + "<script src=\"/session-broker/session-events.js\" defer"
        + " data-events-url=\"/session-broker/events\" data-signed-out-url=\"/signed-out\""
        + " data-status-selector=\"#status\"></script>";
  }
}
