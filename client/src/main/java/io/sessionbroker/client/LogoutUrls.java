package io.sessionbroker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * The logout URLs of one OpenID provider: knows its {@code end_session_endpoint} (given, derived
 * from Keycloak's fixed path, or discovered once) and hands out {@link KeycloakLogoutUrl} builders
 * for it. Immutable and thread-safe: create once at start-up.
 */
public final class LogoutUrls {

  /** Default timeout of the discovery request: 5 s. */
  public static final Duration DEFAULT_DISCOVERY_TIMEOUT = Duration.ofSeconds(5);

  private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

  private final URI endSessionEndpoint;

  private LogoutUrls(URI endSessionEndpoint) {
    this.endSessionEndpoint = Objects.requireNonNull(endSessionEndpoint, "endSessionEndpoint");
  }

  /** Logout URLs at a known {@code end_session_endpoint}. */
  public static LogoutUrls forEndSessionEndpoint(URI endSessionEndpoint) {
    return new LogoutUrls(endSessionEndpoint);
  }

  /**
   * Logout URLs of a Keycloak realm, at {@code <issuer>/protocol/openid-connect/logout}, with no
   * network call.
   */
  public static LogoutUrls forKeycloakIssuer(URI issuer) {
    return new LogoutUrls(KeycloakLogoutUrl.endSessionEndpointOf(issuer));
  }

  /**
   * Reads {@code end_session_endpoint} from {@code <issuer>/.well-known/openid-configuration}.
   *
   * @throws SessionBrokerException when the document cannot be fetched or lacks the endpoint
   */
  public static LogoutUrls discover(URI issuer) {
    return discover(
        issuer,
        HttpClient.newBuilder()
            .connectTimeout(DEFAULT_DISCOVERY_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build(),
        DEFAULT_DISCOVERY_TIMEOUT);
  }

  /** Like {@link #discover(URI)} with the given HTTP client and request timeout. */
  public static LogoutUrls discover(URI issuer, HttpClient httpClient, Duration timeout) {
    String text = Objects.requireNonNull(issuer, "issuer").toString();
    URI discovery =
        URI.create(
            (text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + DISCOVERY_PATH);
    HttpRequest request =
        HttpRequest.newBuilder(discovery)
            .timeout(timeout)
            .header("Accept", "application/json")
            .GET()
            .build();
    HttpResponse<String> response;
    try {
      response = httpClient.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SessionBrokerException("Cannot fetch " + discovery + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SessionBrokerException("Interrupted while fetching " + discovery, e);
    }
    if (response.statusCode() != 200) {
      throw new SessionBrokerException(
          "Discovery at " + discovery + " answered " + response.statusCode());
    }
    return new LogoutUrls(endSessionEndpointIn(response.body(), discovery));
  }

  private static URI endSessionEndpointIn(String document, URI discovery) {
    try {
      JsonNode endpoint = new ObjectMapper().readTree(document).path("end_session_endpoint");
      if (!endpoint.isTextual() || endpoint.asText().isBlank()) {
        throw new SessionBrokerException(
            "The provider at " + discovery + " announces no end_session_endpoint");
      }
      return URI.create(endpoint.asText());
    } catch (IOException | IllegalArgumentException e) {
      throw new SessionBrokerException("Unreadable discovery document at " + discovery, e);
    }
  }

  /** The provider's {@code end_session_endpoint}. */
  public URI endSessionEndpoint() {
    return endSessionEndpoint;
  }

  /** A builder for one logout URL at this provider. */
  public KeycloakLogoutUrl.Builder logout() {
    return KeycloakLogoutUrl.builder(endSessionEndpoint);
  }

  /** Shortcut: logout with the ID token as hint, then back to {@code postLogoutRedirectUri}. */
  public URI logoutWithIdToken(String idToken, URI postLogoutRedirectUri) {
    return logout().idTokenHint(idToken).postLogoutRedirectUri(postLogoutRedirectUri).build();
  }

  /** Shortcut: logout by client id (Keycloak asks the user to confirm), then back. */
  public URI logoutWithClientId(String clientId, URI postLogoutRedirectUri) {
    return logout().clientId(clientId).postLogoutRedirectUri(postLogoutRedirectUri).build();
  }
}
