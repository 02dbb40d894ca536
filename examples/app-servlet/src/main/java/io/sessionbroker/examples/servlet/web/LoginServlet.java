package io.sessionbroker.examples.servlet.web;

import io.sessionbroker.examples.servlet.oidc.AuthorizationRequest;
import io.sessionbroker.examples.servlet.oidc.OpenIdClient;
import io.sessionbroker.examples.servlet.oidc.SignInException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET /login}: remembers a new authorization request and sends the browser to Keycloak. */
public final class LoginServlet extends HttpServlet {

  /** Session attribute holding the pending {@link AuthorizationRequest}. */
  static final String PENDING_ATTRIBUTE = "app1.pending-sign-in";

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(LoginServlet.class);

  private final transient OpenIdClient openId;

  /** A servlet that signs in through {@code openId}. */
  public LoginServlet(OpenIdClient openId) {
    this.openId = openId;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    HttpSession session = request.getSession(true);
    if (session.getAttribute(SignedInUser.ATTRIBUTE) != null) {
      response.sendRedirect("/");
      return;
    }
    AuthorizationRequest pending = AuthorizationRequest.create("/");
    try {
      String url = openId.authorizationUrl(pending).toString();
      session.setAttribute(PENDING_ATTRIBUTE, pending);
      response.sendRedirect(url);
    } catch (SignInException e) {
      LOG.warn("Cannot start a sign-in: {}", e.getMessage());
      Html.error(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, e.getMessage());
    }
  }
}
