package io.sessionbroker.examples.servlet.web;

import io.sessionbroker.client.servlet.SessionAttributes;
import io.sessionbroker.examples.servlet.oidc.AuthorizationRequest;
import io.sessionbroker.examples.servlet.oidc.OpenIdClient;
import io.sessionbroker.examples.servlet.oidc.SignInException;
import io.sessionbroker.examples.servlet.oidc.VerifiedIdToken;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /callback}: Keycloak's redirect after sign-in. Checks {@code state}, redeems the code,
 * verifies the ID token, signs the user in to a session with a new id, and registers that session
 * with the broker.
 */
public final class CallbackServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(CallbackServlet.class);

  private final transient OpenIdClient openId;
  private final transient SessionRegistrar registrar;

  /** A callback that completes sign-ins of {@code openId} and registers them. */
  public CallbackServlet(OpenIdClient openId, SessionRegistrar registrar) {
    this.openId = openId;
    this.registrar = registrar;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String error = request.getParameter("error");
    if (error != null) {
      Html.error(
          response,
          HttpServletResponse.SC_BAD_REQUEST,
          "Keycloak answered "
              + error
              + ": "
              + nullToEmpty(request.getParameter("error_description")));
      return;
    }
    HttpSession session = request.getSession(false);
    AuthorizationRequest pending =
        session == null
            ? null
            : (AuthorizationRequest) session.getAttribute(LoginServlet.PENDING_ATTRIBUTE);
    String state = request.getParameter("state");
    if (pending == null || state == null || !state.equals(pending.state())) {
      Html.error(
          response,
          HttpServletResponse.SC_BAD_REQUEST,
          "This sign-in was not started in this browser session, or has expired.");
      return;
    }
    session.removeAttribute(LoginServlet.PENDING_ATTRIBUTE);
    OpenIdClient.SignIn signIn;
    try {
      signIn = openId.complete(pending, nullToEmpty(request.getParameter("code")));
    } catch (SignInException e) {
      LOG.warn("Sign-in failed: {}", e.getMessage());
      Html.error(response, HttpServletResponse.SC_BAD_GATEWAY, e.getMessage());
      return;
    }
    // A new session id on privilege change (session fixation); the tracker re-indexes it.
    request.changeSessionId();
    VerifiedIdToken token = signIn.idToken();
    try {
      SessionAttributes.signedIn(session, token.sid(), token.subject(), Instant.now());
      session.setAttribute(
          SignedInUser.ATTRIBUTE,
          new SignedInUser(
              token.username() != null ? token.username() : token.subject(),
              token.name() != null ? token.name() : token.username(),
              token.subject(),
              token.sid(),
              token.compact(),
              Instant.now()));
      if (!registrar.register(session, signIn)) {
        session.invalidate();
        Html.signedOut(response, "Keycloak had already ended this session.");
        return;
      }
    } catch (IllegalStateException invalidated) {
      // A revocation for this sid arrived while signing in: the tracker dropped the session.
      Html.signedOut(response, "Your session was ended while signing in.");
      return;
    }
    LOG.info("{} signed in (sid {})", token.username(), token.sid());
    response.sendRedirect(pending.returnTo());
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
