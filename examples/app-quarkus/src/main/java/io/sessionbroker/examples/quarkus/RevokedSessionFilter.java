package io.sessionbroker.examples.quarkus;

import io.quarkus.oidc.IdToken;
import io.quarkus.oidc.OidcSession;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.client.SessionBrokerClient;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Drops a signed-in OIDC session whose SSO session was logged out: before every request, checks the
 * ID token's {@code sid}, {@code sub} and authentication time against the client library's
 * in-memory revoked set (no Redis call), and when revoked removes the session cookie ({@link
 * OidcSession#logout()}, a local logout) and answers with the "Signed out" page.
 *
 * <p>Quarkus OIDC keeps the session in an encrypted cookie that stays valid until its tokens
 * expire, whatever Keycloak did meanwhile; this filter is what makes a logout elsewhere count.
 */
public class RevokedSessionFilter {

  private static final Logger LOG = Logger.getLogger(RevokedSessionFilter.class);

  // @IdToken qualifies fields only, so this one is field-injected (a request-scoped proxy).
  @Inject @IdToken JsonWebToken idToken;

  private final SessionBrokerClient broker;
  private final SecurityIdentity identity;
  private final OidcSession oidcSession;

  @Inject
  RevokedSessionFilter(
      SessionBrokerClient broker, SecurityIdentity identity, OidcSession oidcSession) {
    this.broker = broker;
    this.identity = identity;
    this.oidcSession = oidcSession;
  }

  @ServerRequestFilter
  public Uni<Response> dropRevokedSession(UriInfo uri) {
    if (identity.isAnonymous()) {
      return Uni.createFrom().nullItem();
    }
    SignedInSession session = SignedInSession.of(idToken);
    if (!broker.isRevoked(session.sid(), session.subject(), session.createdAt())) {
      return Uni.createFrom().nullItem();
    }
    String path = uri.getPath();
    if (path.startsWith("/session-broker/")) {
      return Uni.createFrom().nullItem(); // the event stream tells the tab "signed-out" itself
    }
    LOG.infof("Session of sid %s was revoked: signing out locally", session.sid());
    if (path.equals("/signed-out")) {
      // Where the live-push script sends the tab: keep its words (why, when, delay).
      return oidcSession.logout().map(ignored -> (Response) null);
    }
    return oidcSession.logout().replaceWith(Pages.signedOutResponse("Your session has ended."));
  }
}
