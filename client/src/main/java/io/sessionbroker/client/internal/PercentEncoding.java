package io.sessionbroker.client.internal;

import java.nio.charset.StandardCharsets;

/**
 * RFC 3986 percent-encoding that leaves only unreserved characters as they are, safe for both a
 * path segment and a query value ({@code URLEncoder} would turn a space into {@code +}, which is
 * wrong in a path).
 */
public final class PercentEncoding {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PercentEncoding() {}

  /** Encodes {@code value} as UTF-8, escaping every byte outside {@code A-Z a-z 0-9 - . _ ~}. */
  public static String encode(String value) {
    StringBuilder out = new StringBuilder(value.length() + 16);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (isUnreserved(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return out.toString();
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }
}
