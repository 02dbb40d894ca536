package io.sessionbroker.testsupport.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A "browser" without a browser: signs users into Keycloak clients with the OpenID Connect
 * authorization code flow over {@link HttpClient}, and logs them out again.
 *
 * <p>One instance is one browser: it keeps Keycloak's cookies, so a second {@link #login} for
 * another client reuses the SSO session (Keycloak redirects straight back with a code, no password
 * form; {@link OidcTokens#passwordPrompted()} is {@code false}) and both ID tokens carry the same
 * {@code sid}. Create another instance for another browser. The cookie jar sends Keycloak's {@code
 * Secure} cookies over plain HTTP on loopback, as a browser does and {@link java.net.CookieManager}
 * does not (see {@link LenientCookieJar}).
 *
 * <p>The flow stops at the redirect to the client's {@code redirect_uri}: it reads the code from
 * the {@code Location} header and redeems it itself with the client secret, so the app behind the
 * redirect URI need not exist. Not thread-safe: one browser, one user action at a time.
 */
public final class BrowserlessLogin {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int MAX_STEPS = 10;

  private final String issuerUrl;
  private final LenientCookieJar cookies = new LenientCookieJar();
  private final HttpClient http;

  /** A browser with an empty cookie jar for the realm at {@code issuerUrl}. */
  public BrowserlessLogin(String issuerUrl) {
    this.issuerUrl =
        issuerUrl.endsWith("/") ? issuerUrl.substring(0, issuerUrl.length() - 1) : issuerUrl;
    this.http =
        HttpClient.newBuilder()
            .cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /** The realm's issuer URL. */
  public String issuerUrl() {
    return issuerUrl;
  }

  /**
   * Signs {@code username} into {@code clientId}: authorization request, password form when there
   * is no SSO session yet, code from the redirect, code redeemed at the token endpoint.
   *
   * @param redirectUri must match one of the client's redirect URIs; never called
   * @throws IllegalStateException when Keycloak shows anything but the login form or the redirect
   *     (wrong password, required action, consent, error page), with the page's title and error
   */
  public OidcTokens login(
      String clientId, String clientSecret, String redirectUri, String username, String password) {
    String state = randomToken();
    String nonce = randomToken();
    Map<String, String> query = new LinkedHashMap<>();
    query.put("client_id", clientId);
    query.put("redirect_uri", redirectUri);
    query.put("response_type", "code");
    query.put("scope", "openid");
    query.put("state", state);
    query.put("nonce", nonce);
    HttpResponse<String> response = get(endpoint("auth") + "?" + form(query));
    boolean passwordPrompted = false;
    for (int step = 0; step < MAX_STEPS; step++) {
      String location = absolute(response.headers().firstValue("Location").orElse(null));
      if (isRedirect(response) && location != null && location.startsWith(redirectUri)) {
        String code = codeFrom(location, state);
        return redeem(clientId, clientSecret, redirectUri, code, nonce, passwordPrompted);
      }
      if (isRedirect(response) && location != null && location.startsWith(issuerUrl)) {
        response = get(location);
        continue;
      }
      if (response.statusCode() == 200) {
        HtmlForm loginForm =
            HtmlForm.find(response.body(), form -> form.hasInput("password")).orElse(null);
        if (loginForm != null && !passwordPrompted) {
          passwordPrompted = true;
          Map<String, String> fields = loginForm.values();
          fields.put("username", username);
          fields.put("password", password);
          response = post(loginForm.action(), fields);
          continue;
        }
      }
      throw unexpected("Sign-in of " + username + " into " + clientId, response);
    }
    throw new IllegalStateException(
        "Sign-in of " + username + " into " + clientId + " took more than " + MAX_STEPS + " steps");
  }

  /**
   * RP-initiated logout, as the app of {@code clientId} would send the browser: GET on the end
   * session endpoint with {@code id_token_hint}, {@code client_id} and {@code
   * post_logout_redirect_uri}. With a valid hint and an allowed redirect URI Keycloak 26 ends the
   * SSO session at once, sends a back-channel logout token to every client of the session that has
   * a back-channel logout URL (the initiating client included) before it answers, and redirects to
   * {@code postLogoutRedirectUri}.
   *
   * <p>Without {@code post_logout_redirect_uri} but with a valid hint Keycloak also logs out at
   * once and shows its "You are logged out" page. Without a valid hint it shows a "Logging out"
   * confirmation page instead; this method submits it, as a user clicking "Logout" would.
   *
   * @param idToken the ID token to pass as {@code id_token_hint}; {@code null} for none, in which
   *     case this browser's SSO cookie tells Keycloak which session to end, after the confirmation
   * @param postLogoutRedirectUri must match the client's post-logout redirect URIs; {@code null}
   *     for none
   */
  public void logout(String idToken, String clientId, String postLogoutRedirectUri) {
    Map<String, String> query = new LinkedHashMap<>();
    if (idToken != null) {
      query.put("id_token_hint", idToken);
    }
    query.put("client_id", clientId);
    if (postLogoutRedirectUri != null) {
      query.put("post_logout_redirect_uri", postLogoutRedirectUri);
      query.put("state", randomToken());
    }
    HttpResponse<String> response = get(endpoint("logout") + "?" + form(query));
    for (int step = 0; step < MAX_STEPS; step++) {
      String location = absolute(response.headers().firstValue("Location").orElse(null));
      if (isRedirect(response)
          && location != null
          && postLogoutRedirectUri != null
          && location.startsWith(postLogoutRedirectUri)) {
        return;
      }
      if (isRedirect(response) && location != null && location.startsWith(issuerUrl)) {
        response = get(location);
        continue;
      }
      if (response.statusCode() == 200) {
        // Keycloak asks for confirmation when it cannot tie the request to a session it trusts
        // (no or stale id_token_hint); "clicking" the button is what a user would do.
        HtmlForm confirm =
            HtmlForm.find(response.body(), form -> form.action().contains("logout-confirm"))
                .orElse(null);
        if (confirm != null) {
          Map<String, String> fields = confirm.values();
          fields.put("confirmLogout", "Logout");
          response = post(confirm.action(), fields);
          continue;
        }
        if (postLogoutRedirectUri == null) {
          // No redirect URI: Keycloak ends the session and shows its "You are logged out" page.
          return;
        }
      }
      throw unexpected("Logout from " + clientId, response);
    }
    throw new IllegalStateException("Logout from " + clientId + " took too many steps");
  }

  /** {@link #logout(String, String, String)} without a post-logout redirect URI. */
  public void logout(String idToken, String clientId) {
    logout(idToken, clientId, null);
  }

  /**
   * An access token for a client's service account (client credentials grant). Keycloak issues no
   * refresh token and no SSO session for it.
   */
  public String clientCredentialsToken(String clientId, String clientSecret) {
    JsonNode body =
        tokenRequest(
            Map.of(
                "grant_type", "client_credentials",
                "client_id", clientId,
                "client_secret", clientSecret),
            "Client credentials grant for " + clientId);
    return body.path("access_token").asText();
  }

  /** Names of the cookies this browser holds (never their values). */
  public List<String> cookieNames() {
    return cookies.names();
  }

  /** Forgets every cookie, as closing the browser would. */
  public void clearCookies() {
    cookies.clear();
  }

  private OidcTokens redeem(
      String clientId,
      String clientSecret,
      String redirectUri,
      String code,
      String nonce,
      boolean passwordPrompted) {
    JsonNode body =
        tokenRequest(
            Map.of(
                "grant_type", "authorization_code",
                "code", code,
                "redirect_uri", redirectUri,
                "client_id", clientId,
                "client_secret", clientSecret),
            "Code exchange for " + clientId);
    String idToken = body.path("id_token").asText();
    UnverifiedJwt claims = UnverifiedJwt.parse(idToken);
    if (!nonce.equals(claims.claim("nonce"))) {
      throw new IllegalStateException("ID token for " + clientId + " carries the wrong nonce");
    }
    return new OidcTokens(
        idToken,
        body.path("access_token").asText(),
        body.path("refresh_token").asText(null),
        claims.claim("sid"),
        claims.claim("sub"),
        passwordPrompted);
  }

  private JsonNode tokenRequest(Map<String, String> fields, String what) {
    HttpResponse<String> response = post(endpoint("token"), fields);
    if (response.statusCode() != 200) {
      // An error answer is an OAuth error object, never a token, so it may be shown.
      throw new IllegalStateException(
          what + " failed: " + response.statusCode() + " " + response.body());
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(what + ": token endpoint answered with no JSON");
    }
  }

  private static String codeFrom(String location, String expectedState) {
    Map<String, String> params = new LinkedHashMap<>();
    URI uri = URI.create(location);
    // Keycloak answers with response_mode=query by default; fragment only for implicit flows.
    String query = uri.getRawQuery() != null ? uri.getRawQuery() : uri.getRawFragment();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        params.put(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      }
    }
    if (params.containsKey("error")) {
      throw new IllegalStateException(
          "Keycloak redirected with error "
              + params.get("error")
              + ": "
              + params.getOrDefault("error_description", ""));
    }
    if (!expectedState.equals(params.get("state"))) {
      throw new IllegalStateException("Redirect carries the wrong state");
    }
    String code = params.get("code");
    if (code == null || code.isEmpty()) {
      throw new IllegalStateException("Redirect carries no code");
    }
    return code;
  }

  private String endpoint(String name) {
    return issuerUrl + "/protocol/openid-connect/" + name;
  }

  private HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(resolve(url)).GET());
  }

  private HttpResponse<String> post(String url, Map<String, String> fields) {
    return send(
        HttpRequest.newBuilder(resolve(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form(fields))));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("Keycloak at " + issuerUrl + " did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while talking to Keycloak", e);
    }
  }

  /** Form actions and redirects may be relative to the server (the logout confirmation's is). */
  private URI resolve(String url) {
    return URI.create(issuerUrl).resolve(url);
  }

  private String absolute(String url) {
    return url == null ? null : resolve(url).toString();
  }

  private static boolean isRedirect(HttpResponse<?> response) {
    int status = response.statusCode();
    return status == 302 || status == 303 || status == 307;
  }

  private static IllegalStateException unexpected(String what, HttpResponse<String> response) {
    // Only the page title and Keycloak's error text: the request URI or body may hold a token.
    String page =
        response.body() == null || response.body().isEmpty()
            ? "(empty body)"
            : HtmlForm.describe(response.body());
    return new IllegalStateException(
        what + ": unexpected answer " + response.statusCode() + " - " + page);
  }

  private static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(
            field ->
                URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private static String randomToken() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
