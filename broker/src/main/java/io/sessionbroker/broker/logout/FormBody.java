package io.sessionbroker.broker.logout;

import io.sessionbroker.broker.token.TokenRejectedException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reads one field of an {@code application/x-www-form-urlencoded} body, strictly. */
final class FormBody {

  private FormBody() {}

  /**
   * Returns the single value of {@code name}.
   *
   * @throws TokenRejectedException when the field is missing, repeated or not decodable
   */
  static String singleField(byte[] body, String name) {
    String text = new String(body, StandardCharsets.UTF_8);
    String value = null;
    for (String pair : text.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (!key.equals(name)) {
        continue;
      }
      if (value != null) {
        throw new TokenRejectedException("request: the form field " + name + " is repeated");
      }
      value = eq < 0 ? "" : decode(pair.substring(eq + 1));
    }
    if (value == null || value.isBlank()) {
      throw new TokenRejectedException(
          "request: the form field " + name + " is missing [OIDC Back-Channel Logout 1.0 §2.5]");
    }
    return value;
  }

  private static String decode(String part) {
    try {
      return URLDecoder.decode(part, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new TokenRejectedException("request: the form body is not valid URL encoding");
    }
  }
}
