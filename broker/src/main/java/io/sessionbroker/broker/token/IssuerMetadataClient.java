package io.sessionbroker.broker.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.lang.JoseException;

/**
 * Reads an issuer's metadata: its OpenID discovery document ({@code
 * <issuer>/.well-known/openid-configuration}, OpenID Connect Discovery 1.0 §4) and its JSON Web Key
 * Set (RFC 7517 §5). The one place the broker fetches either; the key cache ({@link IssuerKeys}),
 * the issuer diagnostics and the Keycloak admin client all read through it.
 *
 * <p>HTTP: {@code java.net.http} over HTTP/1.1, the given timeout for connecting and again for the
 * answer, redirects not followed (an issuer answers its metadata itself), TLS trust of the JVM's
 * trust store (a private CA is added there: docs/operations.md, "TLS trust"). No credentials are
 * sent. Stateless apart from its HTTP client, so it is thread-safe and may be shared.
 *
 * <p>Failures are {@link IssuerMetadataException}s whose message names what was read, its URL and
 * the cause (e.g. {@code OpenID discovery https://sso.example.com/realms/acme/.well-known/
 * openid-configuration answered HTTP 404}); their {@link IssuerMetadataException#reason() reason}
 * lets a caller answer each kind in its own way.
 */
public final class IssuerMetadataClient {

  private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final Duration timeout;

  /**
   * A client whose every request is bounded by {@code timeout}: once to connect, once more for the
   * answer.
   */
  public IssuerMetadataClient(Duration timeout) {
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Where the discovery document of {@code issuerUrl} is: a terminating {@code /} of the issuer is
   * removed before {@code /.well-known/openid-configuration} is appended (OpenID Connect Discovery
   * 1.0 §4).
   */
  public static String discoveryUrl(String issuerUrl) {
    String base =
        issuerUrl.endsWith("/") ? issuerUrl.substring(0, issuerUrl.length() - 1) : issuerUrl;
    return base + DISCOVERY_PATH;
  }

  /**
   * Reads the discovery document of {@code issuerUrl}. Does not judge its {@code issuer}: the
   * caller compares it with what it expects.
   *
   * @throws IssuerMetadataException when no HTTP answer came ({@code UNREACHABLE}, {@code
   *     INTERRUPTED}), the answer was not 200 ({@code HTTP_STATUS}), or not a JSON object ({@code
   *     NOT_JSON})
   */
  public IssuerMetadata discover(String issuerUrl) throws IssuerMetadataException {
    String url = discoveryUrl(issuerUrl);
    String body = get(url, "OpenID discovery");
    JsonNode document;
    try {
      document = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw IssuerMetadataException.notJson(
          url, "OpenID discovery " + url + " answered no JSON: " + e.getOriginalMessage(), e);
    }
    if (document == null || !document.isObject()) {
      throw IssuerMetadataException.notJson(
          url, "OpenID discovery " + url + " answered no JSON object", null);
    }
    return new IssuerMetadata(
        url,
        document.path("issuer").isTextual() ? document.path("issuer").asText() : "",
        text(document, "jwks_uri"),
        text(document, "token_endpoint"),
        text(document, "end_session_endpoint"));
  }

  /**
   * Reads the JSON Web Key Set at {@code jwksUrl}; keys of a type jose4j does not know are left
   * out.
   *
   * @throws IssuerMetadataException when no HTTP answer came ({@code UNREACHABLE}, {@code
   *     INTERRUPTED}), the answer was not 200 ({@code HTTP_STATUS}), or not a JWKS ({@code
   *     NOT_JSON})
   */
  public JsonWebKeySet fetchJwks(String jwksUrl) throws IssuerMetadataException {
    String body = get(jwksUrl, "the JWKS");
    try {
      return new JsonWebKeySet(body);
    } catch (JoseException e) {
      throw IssuerMetadataException.notJson(
          jwksUrl, "the JWKS at " + jwksUrl + " is not a JSON Web Key Set", e);
    }
  }

  private static Optional<String> text(JsonNode document, String field) {
    JsonNode value = document.path(field);
    return value.isTextual() && !value.asText().isBlank()
        ? Optional.of(value.asText())
        : Optional.empty();
  }

  private String get(String url, String what) throws IssuerMetadataException {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(timeout)
              .header("Accept", "application/json")
              .GET()
              .build();
    } catch (IllegalArgumentException e) {
      throw IssuerMetadataException.invalid(
          url, what + " URL '" + url + "' is not an absolute http(s) URL");
    }
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw IssuerMetadataException.unreachable(url, what + " " + url + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw IssuerMetadataException.interrupted(url, e);
    }
    if (response.statusCode() != 200) {
      throw IssuerMetadataException.httpStatus(
          url, response.statusCode(), what + " " + url + " answered HTTP " + response.statusCode());
    }
    return response.body();
  }

  /** Why a request got no answer, in words an operator can act on. */
  private static String describe(IOException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String message =
          cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
      if (cause instanceof SSLException) {
        if (message.contains("PKIX") || hasCertPathCause(cause)) {
          return "TLS: the broker does not trust the issuer's certificate (PKIX path building"
              + " failed); add the CA that issued it to the broker's trust store"
              + " (docs/operations.md)";
        }
        return "TLS handshake failed: " + message;
      }
      if (cause instanceof UnknownHostException) {
        return "the host name does not resolve: " + message;
      }
      if (cause instanceof HttpConnectTimeoutException) {
        return "connect timed out: " + message;
      }
      if (cause instanceof ConnectException) {
        return "cannot connect (connection refused or unreachable): " + message;
      }
      if (cause instanceof HttpTimeoutException) {
        return "the server accepted the connection but did not answer in time";
      }
    }
    return failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
  }

  private static boolean hasCertPathCause(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.security.cert.CertPathValidatorException
          || cause.getClass().getName().endsWith("CertPathBuilderException")) {
        return true;
      }
    }
    return false;
  }
}
