package io.sessionbroker.examples.servlet.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;

/**
 * The authorization code flow of one confidential client, by hand over {@code java.net.http}: build
 * the authorization URL, redeem the code (client secret + PKCE), verify the ID token.
 *
 * <p>The provider's endpoints are discovered on first use, so the app starts even while Keycloak
 * does not answer yet; a failed discovery is retried on the next sign-in. Thread-safe.
 */
public final class OpenIdClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI issuer;
  private final String clientId;
  private final String clientSecret;
  private final URI redirectUri;
  private final HttpClient http;
  private volatile Provider provider;
  private volatile ServiceToken serviceToken;

  /** A client-credentials access token and when to fetch the next one. */
  private record ServiceToken(String value, Instant renewAt) {}

  /** The provider's endpoints with the verifier for its keys. */
  private record Provider(ProviderMetadata metadata, IdTokenVerifier verifier) {}

  /**
   * A client of the realm at {@code issuer}.
   *
   * @param redirectUri this app's callback; Keycloak must list it among the client's redirect URIs
   */
  public OpenIdClient(
      URI issuer, String clientId, String clientSecret, URI redirectUri, HttpClient http) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
    this.redirectUri = Objects.requireNonNull(redirectUri, "redirectUri");
    this.http = Objects.requireNonNull(http, "http");
  }

  /** Where to send the browser to sign in for {@code request}. */
  public URI authorizationUrl(AuthorizationRequest request) {
    return request.url(provider().metadata().authorizationEndpoint(), clientId, redirectUri);
  }

  /**
   * Redeems the code from the callback and verifies the ID token.
   *
   * @throws SignInException when the token endpoint refuses or the ID token is not valid
   */
  public SignIn complete(AuthorizationRequest request, String code) {
    Provider current = provider();
    String form =
        Forms.encode(
            "grant_type",
            "authorization_code",
            "code",
            code,
            "redirect_uri",
            redirectUri.toString(),
            "code_verifier",
            request.codeVerifier());
    HttpRequest tokenRequest =
        HttpRequest.newBuilder(current.metadata().tokenEndpoint())
            .timeout(TIMEOUT)
            .header("Authorization", basicAuthorization())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    JsonNode body = send(tokenRequest);
    String idToken = body.path("id_token").asText(null);
    String accessToken = body.path("access_token").asText(null);
    if (idToken == null || accessToken == null) {
      throw new SignInException("The token endpoint answered without an ID or access token");
    }
    return new SignIn(current.verifier().verify(idToken, request.nonce()), accessToken);
  }

  /**
   * This app's own access token from the client-credentials grant (its service account), the broker
   * API's app caller (SPEC §3.2): a user's access token is not one. Cached until 30 s before it
   * expires; thread-safe.
   *
   * @throws SignInException when the token endpoint refuses (service accounts not enabled?)
   */
  public String serviceAccountToken() {
    ServiceToken current = serviceToken;
    if (current != null && Instant.now().isBefore(current.renewAt())) {
      return current.value();
    }
    synchronized (this) {
      current = serviceToken;
      if (current == null || !Instant.now().isBefore(current.renewAt())) {
        HttpRequest tokenRequest =
            HttpRequest.newBuilder(provider().metadata().tokenEndpoint())
                .timeout(TIMEOUT)
                .header("Authorization", basicAuthorization())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        Forms.encode("grant_type", "client_credentials")))
                .build();
        JsonNode body = send(tokenRequest);
        String token = body.path("access_token").asText(null);
        if (token == null) {
          throw new SignInException("The token endpoint answered without an access token");
        }
        long lifetime = body.path("expires_in").asLong(60);
        current = new ServiceToken(token, Instant.now().plusSeconds(Math.max(0, lifetime - 30)));
        serviceToken = current;
      }
      return current.value();
    }
  }

  private JsonNode send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200) {
        // An OAuth error object (RFC 6749 §5.2) holds no token, so it may be shown.
        throw new SignInException(
            "The token endpoint answered "
                + response.statusCode()
                + ": "
                + body.path("error").asText("?")
                + " "
                + body.path("error_description").asText(""));
      }
      return body;
    } catch (IOException e) {
      throw new SignInException("Cannot reach the token endpoint", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SignInException("Interrupted while redeeming the code", e);
    }
  }

  /** {@code client_secret_basic}: both parts form-encoded first (RFC 6749 §2.3.1). */
  private String basicAuthorization() {
    String credentials =
        URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + ":"
            + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
    return "Basic "
        + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  private Provider provider() {
    Provider current = provider;
    if (current == null) {
      synchronized (this) {
        current = provider;
        if (current == null) {
          ProviderMetadata metadata = ProviderMetadata.discover(issuer, http);
          HttpsJwks jwks = new HttpsJwks(metadata.jwksUri().toString());
          current =
              new Provider(
                  metadata,
                  new IdTokenVerifier(
                      metadata.issuer(), clientId, new HttpsJwksVerificationKeyResolver(jwks)));
          provider = current;
        }
      }
    }
    return current;
  }

  /**
   * The outcome of a sign-in.
   *
   * @param idToken the verified ID token
   * @param accessToken the access token of this client (its {@code azp} is this client)
   */
  public record SignIn(VerifiedIdToken idToken, String accessToken) {

    /** Leaves the tokens out. */
    @Override
    public String toString() {
      return "SignIn{" + idToken + "}";
    }
  }
}
