package io.sessionbroker.examples.servlet.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /signed-out}: where Keycloak sends the browser back after logout. */
public final class SignedOutServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Html.signedOut(response, "You signed out of Keycloak and of every app in that session.");
  }
}
