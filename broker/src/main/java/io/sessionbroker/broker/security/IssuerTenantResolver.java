package io.sessionbroker.broker.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantConfigResolver;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.quarkus.oidc.runtime.OidcTenantConfig.Roles;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * REST API authentication: one quarkus-oidc tenant per configured issuer, chosen by the bearer
 * token's {@code iss}. Peeking at the unverified {@code iss} only picks which keys verify the
 * token; quarkus-oidc then verifies signature, issuer and expiry as usual. A token of an unknown
 * issuer falls to the default tenant, which is disabled, and gets 401.
 */
@ApplicationScoped
public class IssuerTenantResolver implements TenantConfigResolver {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final IssuerDirectory issuers;
  private final Map<String, OidcTenantConfig> tenants = new HashMap<>();
  private final Map<String, OidcTenantConfig> operatorTenants = new HashMap<>();

  /** Path of the operator pages, {@code /operator/<alias>}: signed in with a session cookie. */
  public static final String OPERATOR_PATH = "/operator/";

  private static final String OPERATOR_TENANT_PREFIX = "operator-";

  /**
   * Where every tenant reads its caller's roles: Keycloak's realm roles only (SPEC §3.2, the admin
   * is the holder of the realm role). quarkus-oidc's default mapping would also read the top-level
   * {@code groups} and {@code roles} claims, which group-membership or user-attribute mappers fill,
   * so a group named like the admin role would grant it.
   */
  static final String REALM_ROLES_CLAIM_PATH = "realm_access/roles";

  IssuerTenantResolver(IssuerDirectory issuers, SessionBrokerConfig config) {
    this.issuers = issuers;
    config
        .issuers()
        .forEach(
            (alias, settings) -> {
              var builder =
                  OidcTenantConfig.authServerUrl(settings.url())
                      .tenantId(alias)
                      .applicationType(ApplicationType.SERVICE)
                      .roles()
                      .roleClaimPath(REALM_ROLES_CLAIM_PATH)
                      .end();
              settings.jwksUrl().ifPresent(jwks -> builder.discoveryEnabled(false).jwksPath(jwks));
              tenants.put(alias, builder.build());
              operatorTenant(alias, settings).ifPresent(t -> operatorTenants.put(alias, t));
            });
  }

  /**
   * The operator page's sign-in for one issuer: a web-app tenant (authorization code flow, session
   * cookie) with the issuer's operator client; roles from the access token's realm roles ({@link
   * #REALM_ROLES_CLAIM_PATH}).
   */
  private static Optional<OidcTenantConfig> operatorTenant(
      String alias, SessionBrokerConfig.Issuer settings) {
    if (settings.operatorClientId().isEmpty() || settings.operatorClientSecret().isEmpty()) {
      return Optional.empty();
    }
    var builder =
        OidcTenantConfig.authServerUrl(settings.url())
            .tenantId(OPERATOR_TENANT_PREFIX + alias)
            .applicationType(ApplicationType.WEB_APP)
            .clientId(settings.operatorClientId().get())
            .credentials(settings.operatorClientSecret().get())
            .roles(Roles.Source.accesstoken, REALM_ROLES_CLAIM_PATH);
    builder.authentication().cookiePath(OPERATOR_PATH + alias).end();
    settings.jwksUrl().ifPresent(jwks -> builder.discoveryEnabled(false).jwksPath(jwks));
    return Optional.of(builder.build());
  }

  @Override
  public Uni<OidcTenantConfig> resolve(
      RoutingContext context, OidcRequestContext<OidcTenantConfig> requestContext) {
    String path = context.normalizedPath();
    if (path.startsWith(OPERATOR_PATH)) {
      String alias = path.substring(OPERATOR_PATH.length()).split("/", 2)[0];
      return Uni.createFrom().item(operatorTenants.get(alias));
    }
    return Uni.createFrom()
        .item(
            bearerIssuer(context.request().getHeader("Authorization"))
                .flatMap(issuers::byUrl)
                .map(Issuer::alias)
                .map(tenants::get)
                .orElse(null));
  }

  /** The {@code iss} of a bearer JWT, unverified. */
  static Optional<String> bearerIssuer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String[] parts = authorization.substring(7).trim().split("\\.");
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      return Optional.ofNullable(payload.path("iss").textValue());
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
