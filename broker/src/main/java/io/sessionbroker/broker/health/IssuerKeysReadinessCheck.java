package io.sessionbroker.broker.health;

import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import io.sessionbroker.broker.token.IssuerKeys;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when every issuer's signing keys are loaded: without them no logout token can be
 * verified. Tries to load missing keys on each probe, so the broker becomes ready as soon as
 * Keycloak is reachable.
 */
@Readiness
@ApplicationScoped
public class IssuerKeysReadinessCheck implements HealthCheck {

  private final IssuerDirectory issuers;

  IssuerKeysReadinessCheck(IssuerDirectory issuers) {
    this.issuers = issuers;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("issuer-keys").up();
    for (Issuer issuer : issuers.all()) {
      IssuerKeys keys = issuers.keys(issuer);
      boolean loaded = keys.isLoaded() || keys.load();
      response.withData(issuer.alias(), loaded ? "loaded" : keys.lastError());
      if (!loaded) {
        response.down();
      }
    }
    return response.build();
  }
}
