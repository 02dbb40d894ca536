package io.sessionbroker.broker.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.token.IssuerMetadata;
import io.sessionbroker.broker.token.IssuerMetadataClient;
import io.sessionbroker.broker.token.IssuerMetadataException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Keycloak's admin REST API for one realm, as the reconciliation job needs it.
 *
 * <ul>
 *   <li>Token: client credentials grant of the issuer's admin client at the token endpoint from
 *       OpenID discovery ({@code <issuer>/.well-known/openid-configuration}, read with {@link
 *       io.sessionbroker.broker.token.IssuerMetadataClient}); cached until shortly before it
 *       expires, renewed once on a 401.
 *   <li>{@link #checkAccess()}: {@code GET /admin/realms/{realm}/users/count}.
 *   <li>{@link #sessionsOf}: {@code GET /admin/realms/{realm}/users/{sub}/sessions}, the user's
 *       online sessions (Keycloak 26: {@code UserResource.getSessions}, online only). A 404 is
 *       confirmed with {@code GET /admin/realms/{realm}/users/{sub}} before it means "user gone".
 *   <li>{@link #endSession}, {@link #logoutUser}: end SSO sessions for an admin revocation.
 *   <li>{@link #offlineSessionIds}: {@code GET .../users/{sub}/consents} names the clients holding
 *       an offline token of the user ({@code additionalGrants} key {@code "Offline Token"}, value
 *       the client's internal id), then {@code GET .../users/{sub}/offline-sessions/{clientUuid}}
 *       per such client. Needs no {@code view-clients} role.
 * </ul>
 *
 * <p>The admin API base is derived from the issuer URL: {@code <base>/realms/<realm>} becomes
 * {@code <base>/admin/realms/<realm>}. Roles needed by the admin client's service account:
 * realm-management {@code view-users} and {@code query-users} (without {@code query-users} Keycloak
 * answers an unknown user with 403, not 404, and no user is ever taken for gone).
 *
 * <p>Neither tokens nor the client secret appear in exceptions or logs; error bodies of the admin
 * API are not echoed either. Not thread-safe, except {@link #endSession} and {@link #logoutUser}:
 * the job calls it from its one thread, and admin revocations use an instance of their own.
 */
public final class KeycloakAdminClient implements SessionDirectory {

  private static final Pattern KEYCLOAK_ISSUER =
      Pattern.compile("(https?://[^?#]+?)/realms/([^/?#]+)/?");
  private static final Duration TOKEN_RENEWAL_MARGIN = Duration.ofSeconds(30);
  private static final String OFFLINE_TOKEN_GRANT = "Offline Token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String alias;
  private final String issuerUrl;
  private final String configuredIssuerUrl;
  private final String adminBase;
  private final String clientId;
  private final String clientSecret;
  private final HttpClient http;
  private final Duration timeout;
  private final RequestRateLimiter limiter;
  private final Clock clock;
  private String tokenEndpoint;
  private String accessToken;
  private Instant tokenRenewAt = Instant.MIN;

  /**
   * A client for the realm of {@code issuerUrl}.
   *
   * @throws IllegalArgumentException when the issuer URL does not have Keycloak's shape
   */
  KeycloakAdminClient(
      String alias,
      String issuerUrl,
      String clientId,
      String clientSecret,
      Duration timeout,
      RequestRateLimiter limiter,
      Clock clock) {
    this.alias = alias;
    this.configuredIssuerUrl = issuerUrl;
    this.issuerUrl = stripTrailingSlash(issuerUrl);
    this.adminBase =
        adminBaseOf(this.issuerUrl)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "session-broker.issuers."
                            + alias
                            + ".url is not a Keycloak realm URL (<base>/realms/<realm>): the admin"
                            + " API cannot be derived from it"));
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.timeout = timeout;
    this.limiter = limiter;
    this.clock = clock;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** {@code <base>/admin/realms/<realm>} for an issuer {@code <base>/realms/<realm>}. */
  static Optional<String> adminBaseOf(String issuerUrl) {
    Matcher matcher = KEYCLOAK_ISSUER.matcher(issuerUrl);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    return Optional.of(matcher.group(1) + "/admin/realms/" + matcher.group(2));
  }

  @Override
  public void checkAccess() {
    HttpResponse<String> response = adminGet("/users/count");
    if (response.statusCode() != 200) {
      throw KeycloakAdminException.issuerWide(
          "GET " + adminBase + "/users/count answered HTTP " + response.statusCode());
    }
    if (!readJson(response, "/users/count").isNumber()) {
      throw KeycloakAdminException.issuerWide(
          "GET " + adminBase + "/users/count did not answer a number: not Keycloak's admin API");
    }
  }

  /**
   * The realm's clients ({@code GET <admin>/clients}), for the logout-settings diagnostic. Needs
   * the realm-management role {@code view-clients}.
   *
   * @throws KeycloakAdminException when Keycloak does not answer 200
   */
  public JsonNode clients() {
    HttpResponse<String> response = adminGet("/clients");
    if (response.statusCode() != 200) {
      throw KeycloakAdminException.issuerWide(
          "GET "
              + adminBase
              + "/clients answered HTTP "
              + response.statusCode()
              + (response.statusCode() == 403
                  ? ": give the admin client's service account the role view-clients"
                  : ""));
    }
    return readJson(response, "/clients");
  }

  /**
   * An admin client for an issuer's configured admin credentials, or empty when it has none or its
   * URL is not a Keycloak realm URL.
   */
  public static Optional<KeycloakAdminClient> forIssuer(
      String alias, SessionBrokerConfig.Issuer issuer, Duration timeout, int maxRequestsPerSecond) {
    return forIssuer(
        alias, issuer, timeout, new RequestRateLimiter(Math.max(1, maxRequestsPerSecond)));
  }

  static Optional<KeycloakAdminClient> forIssuer(
      String alias,
      SessionBrokerConfig.Issuer issuer,
      Duration timeout,
      RequestRateLimiter limiter) {
    Optional<String> clientId = issuer.adminClientId().filter(id -> !id.isBlank());
    Optional<String> secret = issuer.adminClientSecret().filter(s -> !s.isEmpty());
    if (clientId.isEmpty()
        || secret.isEmpty()
        || adminBaseOf(stripTrailingSlash(issuer.url())).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new KeycloakAdminClient(
            alias,
            issuer.url(),
            clientId.get(),
            secret.get(),
            timeout,
            limiter,
            Clock.systemUTC()));
  }

  /** What Keycloak did when asked to end sessions. */
  public enum Ended {
    /** Keycloak ended the session(s) and sends its own back-channel logouts. */
    ENDED,
    /** Keycloak knows no such session or user: nothing was left to end. */
    NOT_FOUND
  }

  /**
   * Ends one SSO session: {@code DELETE /admin/realms/{realm}/sessions/{sid}} (Keycloak's {@code
   * RealmAdminResource.deleteSession}, needs realm-management {@code manage-users}). Keycloak
   * removes the session and sends back-channel logouts to its clients.
   *
   * @return {@link Ended#NOT_FOUND} on 404 (the session had already ended)
   * @throws KeycloakAdminException on any other answer, naming the status and, for 403, the role
   */
  public synchronized Ended endSession(String sid) {
    return ended("DELETE", "/sessions/" + pathSegment(sid));
  }

  /**
   * Ends every SSO session of a user: {@code POST /admin/realms/{realm}/users/{sub}/logout}
   * (Keycloak's {@code UserResource.logout}, needs realm-management {@code manage-users}).
   *
   * @return {@link Ended#NOT_FOUND} on 404 (no such user)
   * @throws KeycloakAdminException on any other answer
   */
  public synchronized Ended logoutUser(String sub) {
    return ended("POST", "/users/" + pathSegment(sub) + "/logout");
  }

  private Ended ended(String method, String path) {
    HttpResponse<String> response = adminCall(method, path);
    return switch (response.statusCode()) {
      case 200, 204 -> Ended.ENDED;
      case 404 -> Ended.NOT_FOUND;
      case 403 ->
          throw KeycloakAdminException.issuerWide(
              method
                  + " "
                  + adminBase
                  + redactUser(path)
                  + " answered HTTP 403: give the admin client's service account the"
                  + " realm-management role manage-users");
      default -> throw failure(method, path, response);
    };
  }

  @Override
  public UserSessions sessionsOf(String sub) {
    String path = "/users/" + pathSegment(sub) + "/sessions";
    HttpResponse<String> response = adminGet(path);
    return switch (response.statusCode()) {
      case 200 -> UserSessions.of(ids(readJson(response, path)));
      case 404 -> confirmUserGone(sub);
      default -> throw failure("GET", path, response);
    };
  }

  /** A 404 on the sessions path is taken for "user gone" only when the user lookup agrees. */
  private UserSessions confirmUserGone(String sub) {
    String path = "/users/" + pathSegment(sub);
    HttpResponse<String> response = adminGet(path);
    if (response.statusCode() == 404) {
      return UserSessions.userGone();
    }
    throw KeycloakAdminException.transientFailure(
        "the sessions of a user answered 404 but GET "
            + adminBase
            + "/users/{sub} answered HTTP "
            + response.statusCode());
  }

  @Override
  public Set<String> offlineSessionIds(String sub) {
    String consentsPath = "/users/" + pathSegment(sub) + "/consents";
    HttpResponse<String> consents = adminGet(consentsPath);
    if (consents.statusCode() != 200) {
      throw failure("GET", consentsPath, consents);
    }
    Set<String> offlineClients = new LinkedHashSet<>();
    for (JsonNode consent : readJson(consents, consentsPath)) {
      for (JsonNode grant : consent.path("additionalGrants")) {
        if (OFFLINE_TOKEN_GRANT.equals(grant.path("key").asText())
            && !grant.path("client").asText().isEmpty()) {
          offlineClients.add(grant.path("client").asText());
        }
      }
    }
    Set<String> ids = new HashSet<>();
    for (String clientUuid : offlineClients) {
      String path = "/users/" + pathSegment(sub) + "/offline-sessions/" + pathSegment(clientUuid);
      HttpResponse<String> response = adminGet(path);
      if (response.statusCode() != 200) {
        throw failure("GET", path, response);
      }
      ids.addAll(ids(readJson(response, path)));
    }
    return ids;
  }

  private KeycloakAdminException failure(
      String method, String path, HttpResponse<String> response) {
    String message =
        method + " " + adminBase + redactUser(path) + " answered HTTP " + response.statusCode();
    // 403: the service account lacks a role; every other user would get the same answer.
    return response.statusCode() == 403
        ? KeycloakAdminException.issuerWide(message + " (check the admin client's roles)")
        : KeycloakAdminException.transientFailure(message);
  }

  /** Ids of a JSON array of session representations. */
  private static Set<String> ids(JsonNode sessions) {
    if (!sessions.isArray()) {
      throw KeycloakAdminException.transientFailure("a session list was not a JSON array");
    }
    Set<String> ids = new HashSet<>();
    for (JsonNode session : sessions) {
      String id = session.path("id").asText("");
      if (id.isEmpty()) {
        throw KeycloakAdminException.transientFailure("a listed session has no id");
      }
      ids.add(id);
    }
    return ids;
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  /** GET on the admin API with the cached token; on 401 renews the token and tries once more. */
  private HttpResponse<String> adminGet(String path) {
    return adminCall("GET", path);
  }

  /** A bodiless call on the admin API; on 401 renews the token and tries once more. */
  private HttpResponse<String> adminCall(String method, String path) {
    HttpResponse<String> response = send(adminRequest(method, path, token()));
    if (response.statusCode() == 401) {
      accessToken = null;
      response = send(adminRequest(method, path, token()));
      if (response.statusCode() == 401) {
        throw KeycloakAdminException.issuerWide(
            "the admin API rejected a fresh token of client '" + clientId + "' (HTTP 401)");
      }
    }
    return response;
  }

  private HttpRequest adminRequest(String method, String path, String token) {
    return HttpRequest.newBuilder(URI.create(adminBase + path))
        .timeout(timeout)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json")
        .method(method, HttpRequest.BodyPublishers.noBody())
        .build();
  }

  private String token() {
    if (accessToken != null && clock.instant().isBefore(tokenRenewAt)) {
      return accessToken;
    }
    String form =
        form(
            Map.of(
                "grant_type", "client_credentials",
                "client_id", clientId,
                "client_secret", clientSecret));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(tokenEndpoint()))
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    HttpResponse<String> response = send(request);
    if (response.statusCode() != 200) {
      // The body of a refused grant is an OAuth error object; only its code is worth repeating.
      throw KeycloakAdminException.issuerWide(
          "client credentials grant of '"
              + clientId
              + "' answered HTTP "
              + response.statusCode()
              + oauthError(response)
              + ": check session-broker.issuers."
              + alias
              + ".admin-client-id/-secret");
    }
    JsonNode body = readJson(response, "token endpoint");
    String token = body.path("access_token").asText("");
    if (token.isEmpty()) {
      throw KeycloakAdminException.issuerWide("the token endpoint answered no access_token");
    }
    Duration lifetime = Duration.ofSeconds(body.path("expires_in").asLong(60));
    // Renewed a little early, so a token never expires between this check and its use.
    Duration margin =
        lifetime.compareTo(TOKEN_RENEWAL_MARGIN.multipliedBy(2)) > 0
            ? TOKEN_RENEWAL_MARGIN
            : Duration.ZERO;
    accessToken = token;
    tokenRenewAt = clock.instant().plus(lifetime).minus(margin);
    return accessToken;
  }

  private String tokenEndpoint() {
    if (tokenEndpoint != null) {
      return tokenEndpoint;
    }
    try {
      limiter.acquire();
      // Read once per client: a client of its own, not kept after this.
      IssuerMetadata document = new IssuerMetadataClient(timeout).discover(issuerUrl);
      if (!document.namesIssuer(configuredIssuerUrl)) {
        throw KeycloakAdminException.issuerWide(
            "OpenID discovery " + document.discoveryUrl() + " names another issuer");
      }
      tokenEndpoint = document.requireTokenEndpoint();
      return tokenEndpoint;
    } catch (IssuerMetadataException e) {
      throw switch (e.reason()) {
        // Keycloak may be restarting or overloaded: the next user may get an answer.
        case UNREACHABLE, NOT_JSON -> KeycloakAdminException.transientFailure(e.getMessage(), e);
        case HTTP_STATUS, INVALID, INTERRUPTED ->
            KeycloakAdminException.issuerWide(e.getMessage(), e);
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw KeycloakAdminException.issuerWide(
          "interrupted during GET " + IssuerMetadataClient.discoveryUrl(issuerUrl), e);
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    String target = request.method() + " " + redactUser(request.uri().toString());
    try {
      limiter.acquire();
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw KeycloakAdminException.transientFailure(
          target + " timed out after " + timeout.toMillis() + " ms", e);
    } catch (IOException e) {
      throw KeycloakAdminException.transientFailure(target + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw KeycloakAdminException.issuerWide("interrupted during " + target, e);
    }
  }

  private static JsonNode readJson(HttpResponse<String> response, String what) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw KeycloakAdminException.transientFailure(what + " answered no JSON");
    }
  }

  private static String oauthError(HttpResponse<String> response) {
    try {
      String error = JSON.readTree(response.body()).path("error").asText("");
      return error.matches("[a-z_]{1,64}") ? " (" + error + ")" : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Keeps user and session ids out of warnings: they identify people and sessions. */
  private static String redactUser(String pathOrUrl) {
    return pathOrUrl
        .replaceAll("/users/[^/?]+", "/users/{sub}")
        .replaceAll("/sessions/[^/?]+", "/sessions/{sid}");
  }

  private static String pathSegment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(field -> pathSegment(field.getKey()) + "=" + pathSegment(field.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
