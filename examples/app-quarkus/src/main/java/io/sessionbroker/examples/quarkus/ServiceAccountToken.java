package io.sessionbroker.examples.quarkus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * app2's own access token from Keycloak's client-credentials grant (its service account): the
 * broker's API accepts an app only with that token, never with a signed-in user's access token.
 * Uses the same client id and secret as the sign-in ({@code quarkus.oidc.*}); the client needs
 * "Service accounts roles" enabled and the broker's audience mapper (docs/operations.md). Cached
 * until 30 s before it expires.
 */
@ApplicationScoped
public class ServiceAccountToken implements Supplier<String> {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI tokenEndpoint;
  private final String authorization;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String token;
  private Instant renewAt = Instant.MIN;

  ServiceAccountToken(
      @ConfigProperty(name = "quarkus.oidc.auth-server-url") String issuer,
      @ConfigProperty(name = "quarkus.oidc.client-id") String clientId,
      @ConfigProperty(name = "quarkus.oidc.credentials.secret") String secret) {
    // Keycloak's token endpoint under the realm URL.
    this.tokenEndpoint =
        URI.create(issuer.replaceAll("/+$", "") + "/protocol/openid-connect/token");
    String credentials =
        URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + ":"
            + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    this.authorization =
        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The current token, fetched when needed; blocking.
   *
   * @throws IllegalStateException when Keycloak refuses the grant (the message holds no secret)
   */
  @Override
  public synchronized String get() {
    if (token != null && Instant.now().isBefore(renewAt)) {
      return token;
    }
    HttpRequest request =
        HttpRequest.newBuilder(tokenEndpoint)
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", authorization)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || !body.hasNonNull("access_token")) {
        // An OAuth error object (RFC 6749 §5.2) holds no token, so it may be shown.
        throw new IllegalStateException(
            "Keycloak refused the client-credentials grant: "
                + response.statusCode()
                + " "
                + body.path("error").asText("?"));
      }
      token = body.path("access_token").asText();
      renewAt = Instant.now().plusSeconds(Math.max(0, body.path("expires_in").asLong(60) - 30));
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot reach Keycloak's token endpoint", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while asking for a token", e);
    }
  }
}
