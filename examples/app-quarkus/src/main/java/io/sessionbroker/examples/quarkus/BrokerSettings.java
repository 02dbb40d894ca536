package io.sessionbroker.examples.quarkus;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;

/** How app2 reaches the Session Broker and its Redis. */
@ConfigMapping(prefix = "app.session-broker")
public interface BrokerSettings {

  /** The broker's base URL, for session registrations ({@code APP_SESSION_BROKER_URL}). */
  @WithDefault("http://127.0.0.1:8080")
  URI url();

  /** The broker's Redis, for revocation events ({@code APP_SESSION_BROKER_REDIS_URI}). */
  @WithDefault("redis://127.0.0.1:6379")
  String redisUri();

  /** The broker's alias of this app's Keycloak realm ({@code session-broker.issuers.<alias>}). */
  @WithDefault("demo")
  String issuerAlias();
}
