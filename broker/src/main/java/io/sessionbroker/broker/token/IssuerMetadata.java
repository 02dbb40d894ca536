package io.sessionbroker.broker.token;

import java.net.URI;
import java.util.Optional;

/**
 * The parts of an issuer's OpenID discovery document the broker uses (OpenID Connect Discovery 1.0
 * §3), as {@link IssuerMetadataClient#discover} read them.
 *
 * <p>Fields are taken as the document states them; {@link #namesIssuer} is the one rule for whether
 * the document belongs to a configured issuer, shared by the key cache, the diagnostics and the
 * Keycloak admin client, so none of them accepts a document another refuses.
 *
 * @param discoveryUrl where the document was read, {@code
 *     <issuer>/.well-known/openid-configuration}
 * @param issuer the document's {@code issuer}; empty when it names none
 * @param jwksUri {@code jwks_uri}, the issuer's JSON Web Key Set, when stated
 * @param tokenEndpoint {@code token_endpoint}, when stated
 * @param endSessionEndpoint {@code end_session_endpoint} (OpenID Connect RP-Initiated Logout 1.0
 *     §2.1), when stated
 */
public record IssuerMetadata(
    String discoveryUrl,
    String issuer,
    Optional<String> jwksUri,
    Optional<String> tokenEndpoint,
    Optional<String> endSessionEndpoint) {

  /**
   * Whether the document's {@code issuer} is the configured issuer URL, character for character
   * (SPEC §4: no normalisation of a trailing slash or of case; tokens are matched the same way).
   *
   * @param configuredUrl {@code session-broker.issuers.<alias>.url}
   */
  public boolean namesIssuer(String configuredUrl) {
    return issuer.equals(configuredUrl);
  }

  /**
   * The {@code jwks_uri}.
   *
   * @throws IssuerMetadataException ({@link IssuerMetadataException.Reason#INVALID}) when the
   *     document has none, or not an absolute http(s) URL
   */
  public String requireJwksUri() throws IssuerMetadataException {
    return require("jwks_uri", jwksUri);
  }

  /**
   * The {@code token_endpoint}.
   *
   * @throws IssuerMetadataException ({@link IssuerMetadataException.Reason#INVALID}) when the
   *     document has none, or not an absolute http(s) URL
   */
  public String requireTokenEndpoint() throws IssuerMetadataException {
    return require("token_endpoint", tokenEndpoint);
  }

  private String require(String field, Optional<String> value) throws IssuerMetadataException {
    if (value.isEmpty()) {
      throw IssuerMetadataException.invalid(
          discoveryUrl, "OpenID discovery " + discoveryUrl + " has no " + field);
    }
    if (!isHttpUrl(value.get())) {
      throw IssuerMetadataException.invalid(
          discoveryUrl,
          "OpenID discovery "
              + discoveryUrl
              + " has no usable "
              + field
              + ": '"
              + value.get()
              + "' is not an absolute http(s) URL");
    }
    return value.get();
  }

  private static boolean isHttpUrl(String value) {
    try {
      URI uri = new URI(value);
      return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          && uri.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
