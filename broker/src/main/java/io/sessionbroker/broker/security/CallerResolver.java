package io.sessionbroker.broker.security;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Turns the authenticated identity into a {@link Caller}. */
@ApplicationScoped
public class CallerResolver {

  private final IssuerDirectory issuers;
  private final String adminRole;

  CallerResolver(IssuerDirectory issuers, SessionBrokerConfig config) {
    this.issuers = issuers;
    this.adminRole = config.api().adminRole();
  }

  /**
   * The caller of the current request.
   *
   * @throws UnauthorizedException without a valid token
   * @throws ForbiddenException when the client is not in the issuer's allow-list
   */
  public Caller resolve(SecurityIdentity identity) {
    if (identity == null
        || identity.isAnonymous()
        || !(identity.getPrincipal() instanceof JsonWebToken token)) {
      throw new UnauthorizedException();
    }
    Issuer issuer = issuers.byUrl(token.getIssuer()).orElseThrow(UnauthorizedException::new);
    String clientId = token.getClaim("azp");
    if (clientId == null) {
      clientId = token.getClaim("client_id");
    }
    if (clientId == null || clientId.isBlank()) {
      throw new ForbiddenException("the token names no client (azp)");
    }
    if (!issuer.allowsClient(clientId)) {
      throw new ForbiddenException(
          "the client is not in the allow-list of issuer " + issuer.alias());
    }
    return new Caller(issuer, clientId, identity.hasRole(adminRole));
  }
}
