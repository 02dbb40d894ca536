package io.sessionbroker.broker.security;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.IdRule;
import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.JsonValue.ValueType;
import java.util.Locale;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Turns the authenticated bearer token into a {@link Caller}: the REST API's token rules (SPEC
 * §3.2, Authorisation), all here. quarkus-oidc has already verified signature, {@code iss} and
 * {@code exp} ({@link IssuerTenantResolver}); this class decides what the token is.
 *
 * <p>Every claim is read as a string by {@link #stringClaim}; a claim of another JSON type gets
 * 401.
 *
 * <ol>
 *   <li>Only access tokens: Keycloak marks them with claim {@code typ} {@code Bearer}; ID tokens
 *       ({@code ID}), refresh tokens ({@code Refresh}, {@code Offline}) and logout tokens (which
 *       carry {@code events}) get 401.
 *   <li>The client is {@code azp}; it must pass {@link IdRule} (else 400, as every bad id).
 *   <li>App caller: the token is the client's own service-account token (see {@link
 *       #isServiceAccountToken}). A token that is neither an app caller nor carries the admin role
 *       gets 403.
 *   <li>Audience: {@code aud} must contain {@code session-broker.api.audience}, else 401 (the token
 *       was not issued for the broker).
 *   <li>The client must be in the issuer's allow-list, if it has one, else 403.
 * </ol>
 */
@ApplicationScoped
public class CallerResolver {

  /** Keycloak's {@code typ} claim of access tokens. */
  static final String ACCESS_TOKEN_TYPE = "Bearer";

  /** Prefix of the user name Keycloak gives a client's service account. */
  static final String SERVICE_ACCOUNT_PREFIX = "service-account-";

  private final IssuerDirectory issuers;
  private final String adminRole;
  private final String audience;

  CallerResolver(IssuerDirectory issuers, SessionBrokerConfig config) {
    this.issuers = issuers;
    this.adminRole = config.api().adminRole();
    this.audience = config.api().audience();
  }

  /**
   * The caller of the current request.
   *
   * @throws UnauthorizedException without a valid access token for the broker
   * @throws io.sessionbroker.broker.session.InvalidIdException when {@code azp} breaks the id rule
   * @throws ForbiddenException when the token is neither an app's service-account token nor has the
   *     admin role, or its client is not in the issuer's allow-list
   */
  public Caller resolve(SecurityIdentity identity) {
    if (identity == null
        || identity.isAnonymous()
        || !(identity.getPrincipal() instanceof JsonWebToken token)) {
      throw new UnauthorizedException();
    }
    Issuer issuer = issuers.byUrl(token.getIssuer()).orElseThrow(UnauthorizedException::new);
    if (!isAccessToken(token)) {
      throw new UnauthorizedException(
          "only access tokens are accepted, not ID, refresh or logout tokens");
    }
    String clientId = stringClaim(token, "azp");
    if (clientId == null) {
      throw new ForbiddenException("the token names no client (azp)");
    }
    IdRule.require("azp (the token's client id)", clientId);
    boolean app = isServiceAccountToken(token, clientId);
    boolean admin = identity.hasRole(adminRole);
    if (!app && !admin) {
      throw new ForbiddenException(
          "an end user's access token is not an API caller: an app calls with its own"
              + " client-credentials (service-account) token");
    }
    Set<String> audiences = token.getAudience();
    if (audiences == null || !audiences.contains(audience)) {
      throw new UnauthorizedException("the token's aud does not contain " + audience);
    }
    if (!issuer.allowsClient(clientId)) {
      throw new ForbiddenException(
          "the client is not in the allow-list of issuer " + issuer.alias());
    }
    return new Caller(issuer, clientId, app, admin);
  }

  private static boolean isAccessToken(JsonWebToken token) {
    return ACCESS_TOKEN_TYPE.equals(stringClaim(token, "typ")) && !token.containsClaim("events");
  }

  /**
   * Whether the token is {@code clientId}'s own client-credentials token, as Keycloak marks it.
   *
   * <p>Keycloak's client-credentials grant, and only it, writes the client id into the user session
   * note {@code client_id} (and {@code clientId}, for older mappers); the {@code service_account}
   * client scope, which Keycloak (25 and later) assigns to every client with service accounts
   * enabled, maps that note to the access token claim {@code client_id}. Keycloak before 25 put a
   * "Client ID" mapper on the client itself, with claim {@code clientId}. A user's sign-in never
   * sets the note, so a user's token of the same client has no such claim, and no user can add it:
   * only a realm administrator writing a mapper could.
   *
   * <p>The service account's user name, {@code service-account-<clientId>} in lower case, is a
   * second mark: when the token carries {@code preferred_username}, it must be that name. A normal
   * user who picked that user name still lacks the {@code client_id} claim.
   */
  static boolean isServiceAccountToken(JsonWebToken token, String clientId) {
    String marked = stringClaim(token, "client_id");
    if (marked == null) {
      marked = stringClaim(token, "clientId");
    }
    if (!clientId.equals(marked)) {
      return false;
    }
    String userName = stringClaim(token, "preferred_username");
    return userName == null
        || (SERVICE_ACCOUNT_PREFIX + clientId.toLowerCase(Locale.ROOT))
            .equals(userName.toLowerCase(Locale.ROOT));
  }

  /**
   * The one way this class reads a claim: a JSON string, or null when the token has no such claim.
   *
   * @throws UnauthorizedException when the claim has another JSON type (a number, array, object):
   *     the token breaks the access-token rules, it is no defect of the broker
   */
  static String stringClaim(JsonWebToken token, String name) {
    Object value = token.getClaim(name);
    if (value == null || value instanceof JsonValue json && json.getValueType() == ValueType.NULL) {
      return null;
    }
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof JsonString text) {
      return text.getString();
    }
    throw new UnauthorizedException("the token's claim " + name + " is not a string");
  }
}
