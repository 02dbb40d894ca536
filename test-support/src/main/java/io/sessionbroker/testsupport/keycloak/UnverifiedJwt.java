package io.sessionbroker.testsupport.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;

/**
 * The decoded header and claims of a compact JWS, <strong>without</strong> checking its signature.
 *
 * <p>Tests use it to look at what Keycloak sent (the {@code sid} of an ID token, the claims of a
 * logout token, the action inside a {@code k_logout} body). It must never stand in for verification
 * in production code. {@link #toString()} shows the claims but not the token, so a failed assertion
 * cannot leak a usable credential into a build log.
 */
public final class UnverifiedJwt {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode header;
  private final JsonNode claims;

  private UnverifiedJwt(JsonNode header, JsonNode claims) {
    this.header = header;
    this.claims = claims;
  }

  /** Splits and decodes {@code header.payload.signature}; fails on anything else. */
  public static UnverifiedJwt parse(String compact) {
    String[] parts = compact.trim().split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("Not a compact JWS: " + parts.length + " parts");
    }
    try {
      Base64.Decoder decoder = Base64.getUrlDecoder();
      return new UnverifiedJwt(
          JSON.readTree(decoder.decode(parts[0])), JSON.readTree(decoder.decode(parts[1])));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("Not a JSON JWS (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The JOSE header ({@code alg}, {@code kid}, {@code typ}). */
  public JsonNode header() {
    return header;
  }

  /** The payload as JSON. */
  public JsonNode claims() {
    return claims;
  }

  /** A claim as text ({@code null} when absent); arrays and objects come back as JSON. */
  public String claim(String name) {
    JsonNode value = claims.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  @Override
  public String toString() {
    return "UnverifiedJwt{header=" + header + ", claims=" + claims + "}";
  }
}
