package io.sessionbroker.broker.token;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jose4j.jwx.Headers;

/**
 * The one type check of a JOSE header (RFC 7515 §4.1, RFC 7797 §3) before anything reads it.
 *
 * <p>jose4j parses the header into plain JSON values and its accessors cast them (a {@code kid}
 * that is a number makes key selection throw {@link ClassCastException}). Every registered header
 * member that the broker or jose4j reads while decoding, selecting a key or verifying a signature
 * is checked here first, so a header of any shape is a token rule violation (400), never a defect:
 *
 * <ul>
 *   <li>strings: {@code alg}, {@code kid}, {@code typ}, {@code cty}, {@code jku}, {@code x5u},
 *       {@code x5t}, {@code x5t#S256}, {@code enc}, {@code zip};
 *   <li>arrays of strings: {@code crit}, {@code x5c};
 *   <li>an object: {@code jwk}; a boolean: {@code b64}.
 * </ul>
 *
 * Other (unregistered) members are never read and are left alone.
 */
final class JoseHeaderShape {

  private static final List<String> STRING_MEMBERS =
      List.of("alg", "kid", "typ", "cty", "jku", "x5u", "x5t", "x5t#S256", "enc", "zip");
  private static final List<String> STRING_ARRAY_MEMBERS = List.of("crit", "x5c");

  private JoseHeaderShape() {}

  /**
   * Checks the types of the registered members of {@code headers}.
   *
   * @throws TokenRejectedException naming each member of the wrong type (never its value)
   */
  static void requireWellTyped(Headers headers) {
    List<String> violations = new ArrayList<>();
    for (String name : STRING_MEMBERS) {
      Object value = headers.getObjectHeaderValue(name);
      if (value != null && !(value instanceof String)) {
        violations.add(violation(name, "a string"));
      }
    }
    for (String name : STRING_ARRAY_MEMBERS) {
      Object value = headers.getObjectHeaderValue(name);
      if (value != null
          && !(value instanceof List<?> items
              && items.stream().allMatch(String.class::isInstance))) {
        violations.add(violation(name, "an array of strings"));
      }
    }
    Object jwk = headers.getObjectHeaderValue("jwk");
    if (jwk != null && !(jwk instanceof Map<?, ?>)) {
      violations.add(violation("jwk", "a JSON object"));
    }
    Object b64 = headers.getObjectHeaderValue("b64");
    if (b64 != null && !(b64 instanceof Boolean)) {
      violations.add(violation("b64", "a boolean"));
    }
    if (!violations.isEmpty()) {
      throw new TokenRejectedException(violations);
    }
  }

  private static String violation(String name, String expected) {
    return "header "
        + name
        + ": the JOSE header member is not "
        + expected
        + " [RFC 7515 §4.1, OIDC Back-Channel Logout 1.0 §2.6 step 2]";
  }
}
