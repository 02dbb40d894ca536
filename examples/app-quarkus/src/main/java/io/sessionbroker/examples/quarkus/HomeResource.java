package io.sessionbroker.examples.quarkus;

import io.quarkus.oidc.IdToken;
import io.quarkus.oidc.OidcSession;
import io.quarkus.security.Authenticated;
import io.sessionbroker.client.SessionRevokedException;
import io.sessionbroker.client.push.SignedOutNotice;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * {@code /}: who is signed in (anonymous visitors are sent to Keycloak by Quarkus OIDC first);
 * {@code /signed-out}: where Keycloak returns after logout. {@code /logout} is Quarkus OIDC's
 * RP-initiated logout path ({@code quarkus.oidc.logout.path}), no resource of its own.
 */
@Path("/")
public class HomeResource {

  // @IdToken qualifies fields only, so this one is field-injected (a request-scoped proxy).
  @Inject @IdToken JsonWebToken idToken;

  private final SessionRegistrar registrar;
  private final OidcSession oidcSession;

  @Inject
  HomeResource(SessionRegistrar registrar, OidcSession oidcSession) {
    this.registrar = registrar;
    this.oidcSession = oidcSession;
  }

  @GET
  @Authenticated
  @Produces(MediaType.TEXT_HTML)
  public Response home() {
    SignedInSession session = SignedInSession.of(idToken);
    String registration;
    try {
      registration = registrar.ensureRegistered(session, idToken.getRawToken());
    } catch (SessionRevokedException e) {
      // Logged out in Keycloak before this app registered: drop the cookie session right away.
      oidcSession.logout().await().indefinitely();
      return Pages.signedOutResponse("Keycloak had already ended this session.");
    }
    String username = idToken.getClaim("preferred_username");
    String name = idToken.getClaim("name");
    return Response.ok(
            Pages.home(
                    username != null ? username : idToken.getSubject(),
                    name != null ? name : username,
                    session.sid(),
                    session.createdAt().toString(),
                    registration)
                .render(),
            MediaType.TEXT_HTML_TYPE)
        .header("Cache-Control", "no-store")
        .build();
  }

  @GET
  @Path("signed-out")
  @Produces(MediaType.TEXT_HTML)
  public Response signedOut(
      @QueryParam("reason") String reason,
      @QueryParam("at") String at,
      @QueryParam("delayMillis") String delayMillis) {
    // From the live-push script: why, when and the delay; else Keycloak's return after logout.
    return Pages.signedOutResponse(
        SignedOutNotice.describe(
            reason,
            at,
            delayMillis,
            "You signed out of Keycloak and of every app in that session."));
  }
}
