package io.sessionbroker.broker.session;

import java.nio.charset.StandardCharsets;

/**
 * The rule for user ids ({@code sub}), wherever one enters: logout token and ID token claims,
 * access tokens at the verdict, REST bodies and query parameters, the operator page. Every other id
 * (client ids, session ids, {@code sid}, issuer aliases) keeps the narrower {@link IdRule}.
 *
 * <p>A {@code sub} is 1 to {@value #MAX_LENGTH} Unicode code points with no control character (C0
 * U+0000-U+001F, DEL U+007F, C1 U+0080-U+009F) and no unpaired surrogate, not starting with {@code
 * !}, and neither {@code .} nor {@code ..}. Why it is wider than {@link IdRule}: Keycloak names a
 * user of a user-storage provider {@code f:<component id>:<external id>}, and the external id is
 * the provider's choice, often the username, which may hold spaces, braces and any letter
 * (Keycloak's usernames are up to 255 characters). Keycloak sends a back-channel logout once, so a
 * {@code sub} the broker refused would be a logout lost. Why each remaining exclusion:
 *
 * <ul>
 *   <li>Control characters: {@link io.sessionbroker.broker.store.RedisKeys#SEP} (U+001F) separates
 *       parts of stored fields; line breaks and NUL would forge log lines and header values.
 *   <li>Unpaired surrogates: they have no UTF-8 form, so the sub could not be stored or sent
 *       unchanged.
 *   <li>A leading {@code !}: stored forms of ids start with it ({@link
 *       io.sessionbroker.broker.store.IndexEncoding#storedId}, key names of subs outside {@link
 *       IdRule}), so a stored sub is never mistaken for another one's stored form.
 *   <li>{@code .} and {@code ..}: a sub is a path segment of Keycloak's admin API ({@code
 *       /users/<sub>/sessions}), where these two name the current and the parent resource.
 * </ul>
 *
 * <p>Where a sub leaves the broker in a form narrower than JSON (Redis key names, HTTP header
 * values) it is percent-encoded ({@link #percentEncode}).
 */
public final class SubjectRule {

  /**
   * Longest accepted sub, in code points: Keycloak's own limit is its username's 255 characters
   * plus the {@code f:<component id>:} prefix of a user-storage id.
   */
  public static final int MAX_LENGTH = 512;

  /**
   * The rule as a regular expression, for {@code jakarta.validation.constraints.Pattern} on request
   * fields. Java counts a quantified character class in code points, and a lone surrogate is {@code
   * \p{Cs}}.
   */
  public static final String PATTERN = "(?!\\.\\.?$)(?!!)[^\\p{Cc}\\p{Cs}]{1," + MAX_LENGTH + "}";

  /** The rule in words, for error messages. */
  public static final String DESCRIPTION =
      "must be 1-512 Unicode characters without control characters or unpaired surrogates, not"
          + " starting with '!', and not '.' or '..'";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private SubjectRule() {}

  /** Whether {@code sub} passes the rule; {@code null} does not. */
  public static boolean isValid(String sub) {
    if (sub == null || sub.isEmpty() || sub.equals(".") || sub.equals("..")) {
      return false;
    }
    if (sub.charAt(0) == '!') {
      return false;
    }
    int codePoints = 0;
    for (int i = 0; i < sub.length(); ) {
      int c = sub.codePointAt(i);
      if (Character.isISOControl(c) || Character.getType(c) == Character.SURROGATE) {
        return false;
      }
      if (++codePoints > MAX_LENGTH) {
        return false;
      }
      i += Character.charCount(c);
    }
    return true;
  }

  /**
   * Returns {@code sub} when it passes the rule.
   *
   * @param name what the id is, for the message (e.g. {@code sub})
   * @param sub the user id, never echoed in the message
   * @throws InvalidIdException when it does not pass
   */
  public static String require(String name, String sub) {
    if (!isValid(sub)) {
      throw new InvalidIdException(name + ": " + DESCRIPTION);
    }
    return sub;
  }

  /** Like {@link #require}, but {@code null} passes (an absent, optional sub). */
  public static String requireOptional(String name, String sub) {
    return sub == null ? null : require(name, sub);
  }

  /**
   * {@code text} percent-encoded (RFC 3986 §2.1) as UTF-8: every byte outside visible ASCII ({@code
   * !} to {@code ~}), {@code %} itself and each character of {@code alsoEncode} become {@code %XX}
   * (upper-case hex); all else stays. One-to-one, so two subs never share an encoding, and any
   * percent-decoder gives the sub back. A Keycloak UUID and every id of {@link IdRule} without
   * {@code %} come out unchanged.
   *
   * @param alsoEncode further ASCII characters to encode (e.g. the braces of Redis hash tags)
   */
  public static String percentEncode(String text, String alsoEncode) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder encoded = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      int octet = b & 0xff;
      if (octet > 0x20 && octet < 0x7f && octet != '%' && alsoEncode.indexOf(octet) < 0) {
        encoded.append((char) octet);
      } else {
        encoded.append('%').append(HEX[octet >> 4]).append(HEX[octet & 0xf]);
      }
    }
    return encoded.toString();
  }
}
