package io.sessionbroker.broker.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Short fingerprints of identifiers for logs: an operator can match log lines about the same {@code
 * sid} or {@code sub} (and compute the fingerprint of a known one), while the logs never carry the
 * identifier itself.
 */
public final class LogFingerprint {

  private static final int HEX_CHARS = 12;

  private LogFingerprint() {}

  /**
   * The first 12 hex digits (48 bits) of the SHA-256 of {@code value} in UTF-8, or {@code -} for
   * null. The same as {@code printf %s "$value" | sha256sum | cut -c1-12}.
   */
  public static String of(String value) {
    if (value == null) {
      return "-";
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HEX_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
