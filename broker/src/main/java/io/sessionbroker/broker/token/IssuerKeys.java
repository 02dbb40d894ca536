package io.sessionbroker.broker.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Key;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * The signing keys of one issuer: found through OpenID discovery unless a JWKS URL is configured,
 * cached, and refreshed when a token names an unknown {@code kid} (at most once per {@code
 * minRefreshInterval}), so Keycloak key rotation needs no broker restart.
 *
 * <p>One instance per issuer on purpose: a resolver shared across issuers could verify one realm's
 * token with another realm's keys.
 */
public final class IssuerKeys implements VerificationKeyResolver {

  private static final Logger LOG = Logger.getLogger(IssuerKeys.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Issuer issuer;
  private final Optional<String> configuredJwksUrl;
  private final Duration cacheDuration;
  private final Duration minRefreshInterval;
  private final Duration timeout;
  private volatile HttpsJwksVerificationKeyResolver resolver;
  private volatile HttpsJwks jwks;
  private volatile String lastError = "keys not loaded yet";

  IssuerKeys(
      Issuer issuer,
      Optional<String> jwksUrl,
      Duration cacheDuration,
      Duration minRefreshInterval,
      Duration timeout) {
    this.issuer = issuer;
    this.configuredJwksUrl = jwksUrl;
    this.cacheDuration = cacheDuration;
    this.minRefreshInterval = minRefreshInterval;
    this.timeout = timeout;
  }

  /** Loads the keys now; returns whether they are usable. Never throws. */
  public boolean load() {
    try {
      resolver();
      List<JsonWebKey> keys = jwks.getJsonWebKeys();
      if (keys.isEmpty()) {
        lastError = "the JWKS of " + issuer.url() + " holds no keys";
        return false;
      }
      lastError = null;
      return true;
    } catch (JoseException | IOException | RuntimeException e) {
      lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
      LOG.warnf("Signing keys of issuer '%s' could not be loaded: %s", issuer.alias(), lastError);
      return false;
    }
  }

  /** Whether keys were loaded at least once. */
  public boolean isLoaded() {
    return lastError == null;
  }

  /** Why keys are not loaded, or null. */
  public String lastError() {
    return lastError;
  }

  @Override
  public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext)
      throws UnresolvableKeyException {
    try {
      return resolver().resolveKey(jws, nestingContext);
    } catch (IOException e) {
      throw new UnresolvableKeyException(
          "signing keys of issuer " + issuer.alias() + " unavailable: " + e.getMessage(), e);
    }
  }

  private HttpsJwksVerificationKeyResolver resolver() throws IOException {
    HttpsJwksVerificationKeyResolver current = resolver;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (resolver == null) {
        String url = configuredJwksUrl.orElse(null);
        if (url == null) {
          url = discoverJwksUrl();
        }
        HttpsJwks httpsJwks = new HttpsJwks(url);
        httpsJwks.setDefaultCacheDuration(cacheDuration.toSeconds());
        org.jose4j.http.Get get = new org.jose4j.http.Get();
        get.setConnectTimeout((int) timeout.toMillis());
        get.setReadTimeout((int) timeout.toMillis());
        httpsJwks.setSimpleHttpGet(get);
        // An unknown kid forces a refresh, but at most once per interval.
        httpsJwks.setRefreshReprieveThreshold(minRefreshInterval.toMillis());
        HttpsJwksVerificationKeyResolver newResolver =
            new HttpsJwksVerificationKeyResolver(httpsJwks);
        jwks = httpsJwks;
        resolver = newResolver;
        lastError = null;
      }
      return resolver;
    }
  }

  private String discoverJwksUrl() throws IOException {
    String discoveryUrl = issuer.url() + "/.well-known/openid-configuration";
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(discoveryUrl)).timeout(timeout).GET().build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading " + discoveryUrl, e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(
          "OpenID discovery " + discoveryUrl + " answered HTTP " + response.statusCode());
    }
    JsonNode document = JSON.readTree(response.body());
    String advertisedIssuer = document.path("issuer").asText("");
    if (!Issuer.stripTrailingSlash(advertisedIssuer).equals(issuer.url())) {
      throw new IOException(
          "OpenID discovery "
              + discoveryUrl
              + " names issuer '"
              + advertisedIssuer
              + "', not the configured '"
              + issuer.url()
              + "': fix session-broker.issuers."
              + issuer.alias()
              + ".url (Keycloak's frontend URL decides the issuer)");
    }
    String jwksUri = document.path("jwks_uri").asText(null);
    if (jwksUri == null) {
      throw new IOException("OpenID discovery " + discoveryUrl + " has no jwks_uri");
    }
    return jwksUri;
  }
}
