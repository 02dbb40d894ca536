package io.sessionbroker.examples.servlet.web;

import io.sessionbroker.client.LogoutUrls;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.net.URI;

/**
 * {@code POST /logout}: ends the local session and sends the browser to Keycloak's RP-initiated
 * logout, which ends the SSO session and comes back to {@code /signed-out}.
 *
 * <p>Nothing is unregistered here: Keycloak's back-channel logout reaches the broker, which marks
 * this app's registration (and every other app's in the same SSO session) revoked.
 */
public final class LogoutServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private final transient LogoutUrls logoutUrls;
  private final URI signedOutUrl;

  /** Logs out at {@code logoutUrls} and returns to {@code signedOutUrl}. */
  public LogoutServlet(LogoutUrls logoutUrls, URI signedOutUrl) {
    this.logoutUrls = logoutUrls;
    this.signedOutUrl = signedOutUrl;
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    HttpSession session = request.getSession(false);
    SignedInUser user = null;
    if (session != null) {
      try {
        user = (SignedInUser) session.getAttribute(SignedInUser.ATTRIBUTE);
        session.invalidate();
      } catch (IllegalStateException alreadyInvalidated) {
        // Revoked meanwhile: nothing left to end locally.
      }
    }
    if (user == null) {
      response.sendRedirect("/signed-out");
      return;
    }
    response.sendRedirect(logoutUrls.logoutWithIdToken(user.idToken(), signedOutUrl).toString());
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    // A logout changes state: only POST does it (a link or image elsewhere cannot sign users out).
    response.sendRedirect("/");
  }
}
