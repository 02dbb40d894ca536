package io.sessionbroker.examples.servlet.oidc;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** {@code application/x-www-form-urlencoded} bodies and query strings. */
final class Forms {

  private Forms() {}

  /** Encodes name-value pairs given one after the other: {@code encode("a", "1", "b", "2")}. */
  static String encode(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values must come in pairs");
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(URLEncoder.encode(namesAndValues[i], StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
    }
    return out.toString();
  }
}
