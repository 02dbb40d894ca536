package io.sessionbroker.client;

import io.sessionbroker.client.internal.PercentEncoding;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds an OpenID Connect RP-initiated logout URL for Keycloak: the {@code end_session_endpoint}
 * with {@code post_logout_redirect_uri}, {@code id_token_hint} and/or {@code client_id}, and
 * optionally {@code state} and {@code ui_locales}.
 *
 * <p>Keycloak 18 and later reject the old {@code redirect_uri} parameter, and require {@code
 * id_token_hint} or {@code client_id} whenever {@code post_logout_redirect_uri} is given; this
 * builder never emits the former and enforces the latter.
 *
 * <pre>{@code
 * URI logout = KeycloakLogoutUrl.builder(endSessionEndpoint)
 *     .idTokenHint(idToken)
 *     .postLogoutRedirectUri(URI.create("https://app.example.com/"))
 *     .build();
 * }</pre>
 */
public final class KeycloakLogoutUrl {

  /** Keycloak's end-session path below an issuer (realm) URL. */
  public static final String KEYCLOAK_END_SESSION_PATH = "/protocol/openid-connect/logout";

  private KeycloakLogoutUrl() {}

  /** A builder for logout URLs at the given {@code end_session_endpoint}. */
  public static Builder builder(URI endSessionEndpoint) {
    return new Builder(endSessionEndpoint);
  }

  /**
   * Keycloak's {@code end_session_endpoint} for an issuer, without discovery: {@code
   * <issuer>/protocol/openid-connect/logout}. Use {@link LogoutUrls#discover} for providers whose
   * endpoint is not at Keycloak's fixed path.
   */
  public static URI endSessionEndpointOf(URI issuer) {
    String text = Objects.requireNonNull(issuer, "issuer").toString();
    String base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    return URI.create(base + KEYCLOAK_END_SESSION_PATH);
  }

  /** Collects the logout parameters. Not thread-safe; one per logout. */
  public static final class Builder {

    private final URI endSessionEndpoint;
    private String idTokenHint;
    private String clientId;
    private URI postLogoutRedirectUri;
    private String state;
    private String uiLocales;

    private Builder(URI endSessionEndpoint) {
      this.endSessionEndpoint = Objects.requireNonNull(endSessionEndpoint, "endSessionEndpoint");
      if (!endSessionEndpoint.isAbsolute() || endSessionEndpoint.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "endSessionEndpoint must be an absolute URI without fragment");
      }
    }

    /**
     * The ID token received at sign-in. Keycloak then skips its logout confirmation page. Never log
     * the resulting URL: it carries the token.
     */
    public Builder idTokenHint(String idToken) {
      this.idTokenHint = blankToNull(idToken);
      return this;
    }

    /** The application's client id; lets Keycloak check the redirect URI without an ID token. */
    public Builder clientId(String clientId) {
      this.clientId = blankToNull(clientId);
      return this;
    }

    /**
     * Where Keycloak sends the browser after logout; must be registered as a valid post logout
     * redirect URI of the client.
     */
    public Builder postLogoutRedirectUri(URI uri) {
      this.postLogoutRedirectUri = uri;
      return this;
    }

    /** The same as {@link #postLogoutRedirectUri(URI)}, from text. */
    public Builder postLogoutRedirectUri(String uri) {
      return postLogoutRedirectUri(uri == null ? null : URI.create(uri));
    }

    /** Opaque value Keycloak passes back to the post-logout redirect URI. */
    public Builder state(String state) {
      this.state = blankToNull(state);
      return this;
    }

    /** Preferred languages of Keycloak's logout pages, e.g. {@code "de en"}. */
    public Builder uiLocales(String uiLocales) {
      this.uiLocales = blankToNull(uiLocales);
      return this;
    }

    /**
     * The logout URL.
     *
     * @throws IllegalStateException when a post-logout redirect URI is given without an ID token
     *     hint or client id, or a state without a redirect URI
     */
    public URI build() {
      if (postLogoutRedirectUri != null && idTokenHint == null && clientId == null) {
        throw new IllegalStateException(
            "post_logout_redirect_uri needs id_token_hint or client_id (Keycloak 18+)");
      }
      if (state != null && postLogoutRedirectUri == null) {
        throw new IllegalStateException("state is only returned with a post_logout_redirect_uri");
      }
      Map<String, String> parameters = new LinkedHashMap<>();
      putIfPresent(parameters, "id_token_hint", idTokenHint);
      putIfPresent(parameters, "client_id", clientId);
      putIfPresent(
          parameters,
          "post_logout_redirect_uri",
          postLogoutRedirectUri == null ? null : postLogoutRedirectUri.toString());
      putIfPresent(parameters, "state", state);
      putIfPresent(parameters, "ui_locales", uiLocales);
      StringBuilder url = new StringBuilder(endSessionEndpoint.toString());
      char separator = endSessionEndpoint.getRawQuery() == null ? '?' : '&';
      for (Map.Entry<String, String> parameter : parameters.entrySet()) {
        url.append(separator)
            .append(parameter.getKey())
            .append('=')
            .append(PercentEncoding.encode(parameter.getValue()));
        separator = '&';
      }
      return URI.create(url.toString());
    }

    private static void putIfPresent(Map<String, String> parameters, String name, String value) {
      if (value != null) {
        parameters.put(name, value);
      }
    }

    private static String blankToNull(String value) {
      return value == null || value.isBlank() ? null : value;
    }
  }
}
