package io.sessionbroker.examples.servlet.web;

import io.sessionbroker.client.push.SignedOutNotice;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /signed-out}: where Keycloak sends the browser back after logout, and where the live
 * push script sends a tab whose session was revoked ({@code ?reason=&at=&delayMillis=}).
 */
public final class SignedOutServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    // From the page script after a live push: why, when and the delay; else Keycloak's return.
    Html.signedOut(
        response,
        SignedOutNotice.describe(
            request.getParameter("reason"),
            request.getParameter("at"),
            request.getParameter("delayMillis"),
            "You signed out of Keycloak and of every app in that session."));
  }
}
