package io.sessionbroker.examples.quarkus;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The app's pages (Qute templates {@code templates/<method>.html}, escaped by Qute). */
@CheckedTemplate
final class Pages {

  private Pages() {}

  /** Who is signed in, with the "Sign out" link. */
  static native TemplateInstance home(
      String username, String name, String sid, String authenticatedAt, String registration);

  /** Nobody is signed in. */
  static native TemplateInstance signedOut(String reason);

  /** The "Signed out" page as a complete response (e.g. from a filter). */
  static Response signedOutResponse(String reason) {
    return Response.ok(signedOut(reason).render(), MediaType.TEXT_HTML_TYPE)
        .header("Cache-Control", "no-store")
        .build();
  }
}
