package io.sessionbroker.examples.servlet;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The settings of app1. Each one is read from a system property (e.g. {@code
 * -Doidc.client-secret=}) or else from the environment variable of the same name in upper case with
 * {@code _} for {@code .} and {@code -} (e.g. {@code OIDC_CLIENT_SECRET}).
 *
 * @param host the address to listen on ({@code app.host}, default {@code 127.0.0.1})
 * @param port the HTTP port ({@code app.port}, default {@value #DEFAULT_PORT})
 * @param publicUrl the base URL browsers use ({@code app.url}, default {@code
 *     http://<host>:<port>}); Keycloak must accept {@code <publicUrl>/*} as redirect URI
 * @param issuer the Keycloak realm's issuer URL ({@code oidc.issuer-url}, default {@code
 *     http://127.0.0.1:8180/realms/demo})
 * @param clientId the Keycloak client ({@code oidc.client-id}, default {@code app1})
 * @param clientSecret the client's secret ({@code oidc.client-secret}, required)
 * @param brokerUrl the Session Broker's base URL ({@code session-broker.url}, default {@code
 *     http://127.0.0.1:8080})
 * @param redisUri the broker's Redis ({@code session-broker.redis-uri}, default {@code
 *     redis://127.0.0.1:6379})
 * @param issuerAlias the broker's alias of the realm ({@code session-broker.issuer-alias}, default
 *     {@code demo})
 */
public record AppConfig(
    String host,
    int port,
    URI publicUrl,
    URI issuer,
    String clientId,
    String clientSecret,
    URI brokerUrl,
    String redisUri,
    String issuerAlias) {

  /** Default {@code app.port}. */
  public static final int DEFAULT_PORT = 8081;

  /** Checks that nothing is missing. */
  public AppConfig {
    Objects.requireNonNull(host, "app.host");
    Objects.requireNonNull(publicUrl, "app.url");
    Objects.requireNonNull(issuer, "oidc.issuer-url");
    Objects.requireNonNull(clientId, "oidc.client-id");
    Objects.requireNonNull(brokerUrl, "session-broker.url");
    Objects.requireNonNull(redisUri, "session-broker.redis-uri");
    Objects.requireNonNull(issuerAlias, "session-broker.issuer-alias");
    if (clientSecret == null || clientSecret.isBlank()) {
      throw new IllegalArgumentException(
          "oidc.client-secret is required (system property or OIDC_CLIENT_SECRET)");
    }
  }

  /** Reads every setting from system properties, then the environment. */
  public static AppConfig fromEnvironment() {
    return from(name -> lookup(name));
  }

  /** Reads every setting through {@code settings} (a name like {@code oidc.client-id} → value). */
  static AppConfig from(UnaryOperator<String> settings) {
    String host = orDefault(settings.apply("app.host"), "127.0.0.1");
    int port = Integer.parseInt(orDefault(settings.apply("app.port"), "" + DEFAULT_PORT));
    String publicUrl = orDefault(settings.apply("app.url"), "http://" + host + ":" + port);
    return new AppConfig(
        host,
        port,
        URI.create(stripTrailingSlash(publicUrl)),
        URI.create(
            stripTrailingSlash(
                orDefault(settings.apply("oidc.issuer-url"), "http://127.0.0.1:8180/realms/demo"))),
        orDefault(settings.apply("oidc.client-id"), "app1"),
        settings.apply("oidc.client-secret"),
        URI.create(orDefault(settings.apply("session-broker.url"), "http://127.0.0.1:8080")),
        orDefault(settings.apply("session-broker.redis-uri"), "redis://127.0.0.1:6379"),
        orDefault(settings.apply("session-broker.issuer-alias"), "demo"));
  }

  /** The URL of a path of this app, e.g. {@code url("/callback")}. */
  public URI url(String path) {
    return URI.create(publicUrl + path);
  }

  /** Leaves the client secret and the Redis URI (which may hold a password) out. */
  @Override
  public String toString() {
    return "AppConfig{url="
        + publicUrl
        + ", issuer="
        + issuer
        + ", clientId="
        + clientId
        + ", brokerUrl="
        + brokerUrl
        + ", issuerAlias="
        + issuerAlias
        + "}";
  }

  private static String lookup(String name) {
    String property = System.getProperty(name);
    if (property != null && !property.isBlank()) {
      return property;
    }
    return System.getenv(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
