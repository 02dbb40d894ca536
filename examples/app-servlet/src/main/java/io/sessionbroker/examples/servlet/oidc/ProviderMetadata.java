package io.sessionbroker.examples.servlet.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The endpoints of an OpenID provider, read from its discovery document ({@code
 * <issuer>/.well-known/openid-configuration}).
 *
 * @param issuer the {@code issuer} the provider announces; ID tokens must carry it as {@code iss}
 * @param authorizationEndpoint where the browser signs in
 * @param tokenEndpoint where the app redeems the code
 * @param jwksUri the provider's signing keys
 */
public record ProviderMetadata(
    String issuer, URI authorizationEndpoint, URI tokenEndpoint, URI jwksUri) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Fetches the discovery document of {@code issuer}.
   *
   * @throws SignInException when it cannot be fetched, or announces another issuer
   */
  public static ProviderMetadata discover(URI issuer, HttpClient http) {
    URI discovery = URI.create(issuer + "/.well-known/openid-configuration");
    HttpRequest request =
        HttpRequest.newBuilder(discovery)
            .timeout(Duration.ofSeconds(10))
            .header("Accept", "application/json")
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new SignInException(
            "The OpenID provider's discovery at "
                + discovery
                + " answered "
                + response.statusCode());
      }
      JsonNode document = JSON.readTree(response.body());
      String announced = document.path("issuer").asText();
      if (!announced.equals(issuer.toString())) {
        throw new SignInException(
            "The OpenID provider at " + discovery + " announces issuer " + announced);
      }
      return new ProviderMetadata(
          announced,
          URI.create(document.path("authorization_endpoint").asText()),
          URI.create(document.path("token_endpoint").asText()),
          URI.create(document.path("jwks_uri").asText()));
    } catch (IOException e) {
      throw new SignInException("Cannot reach the OpenID provider at " + discovery, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SignInException("Interrupted while reading " + discovery, e);
    }
  }
}
