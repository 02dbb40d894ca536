package io.sessionbroker.broker.session;

import java.util.regex.Pattern;

/**
 * The rule every id the broker stores must pass, except user ids: client ids, session ids, {@code
 * sid} and issuer aliases, wherever they enter (REST bodies, paths and query parameters, bearer
 * token {@code azp}, ID token claims, logout token {@code aud}/{@code sid}, Keycloak admin actions,
 * configuration). A {@code sub} passes the wider {@link SubjectRule} instead: Keycloak's
 * user-storage ids hold usernames.
 *
 * <p>An id is 1 to {@value #MAX_LENGTH} printable ASCII characters ({@code !} to {@code ~}) other
 * than <code>{</code> and <code>}</code>, not starting with {@code !}, and neither {@code .} nor
 * {@code ..}. Why each exclusion:
 *
 * <ul>
 *   <li>Braces: ids are part of Redis key names, and Redis Cluster hashes only the text between the
 *       first <code>{</code> and the next <code>}</code>. A brace inside an id would move a key out
 *       of the slot it must share with its partner (a client's event stream and its dedupe
 *       markers), and every write to both would fail with {@code CROSSSLOT}.
 *   <li>Control characters: {@link io.sessionbroker.broker.store.RedisKeys#SEP} (U+001F) separates
 *       client id and session id inside hash fields; line breaks would forge log lines.
 *   <li>A leading {@code !}: the sid hash keeps its own fields ({@code !sub}, {@code !rev}, {@code
 *       !rev␟<clientId>}) next to the registrations ({@code <clientId>␟<sessionId>}); a client
 *       named {@code !rev} could otherwise write another client's logout tombstone.
 *   <li>{@code .} and {@code ..}: ids become URL path segments (the broker's own paths, Keycloak's
 *       {@code /admin/realms/<realm>/sessions/<sid>}), where these two name the current and the
 *       parent resource (RFC 3986 §5.2.4) instead of an id.
 *   <li>Spaces and non-ASCII: no Keycloak or framework id needs them, and they make ids ambiguous
 *       in logs and URLs.
 * </ul>
 *
 * <p>Real ids pass: Keycloak's UUIDs ({@code sid}), client ids such as {@code my-app}, {@code
 * app.example.com} or {@code urn:foo:bar}, servlet container session ids ({@code node01abc.node0}),
 * Django session keys (32 lower-case letters and digits).
 */
public final class IdRule {

  /** Longest accepted id, in characters. */
  public static final int MAX_LENGTH = 256;

  /**
   * The rule as a regular expression, for {@code jakarta.validation.constraints.Pattern} on request
   * and configuration fields.
   */
  public static final String PATTERN =
      "(?!\\.\\.?$)[\\x22-\\x7A|~][\\x21-\\x7A|~]{0," + (MAX_LENGTH - 1) + "}";

  /** The rule in words, for error messages. */
  public static final String DESCRIPTION =
      "must be 1-256 printable ASCII characters without spaces, '{' or '}', not starting with '!',"
          + " and not '.' or '..'";

  private static final Pattern COMPILED = Pattern.compile(PATTERN);

  private IdRule() {}

  /** Whether {@code id} passes the rule; {@code null} does not. */
  public static boolean isValid(String id) {
    return id != null && COMPILED.matcher(id).matches();
  }

  /**
   * Returns {@code id} when it passes the rule.
   *
   * @param name what the id is, for the message (e.g. {@code sid})
   * @param id the id, never echoed in the message
   * @throws InvalidIdException when it does not pass
   */
  public static String require(String name, String id) {
    if (!isValid(id)) {
      throw new InvalidIdException(name + ": " + DESCRIPTION);
    }
    return id;
  }

  /** Like {@link #require}, but {@code null} passes (an absent, optional id). */
  public static String requireOptional(String name, String id) {
    return id == null ? null : require(name, id);
  }
}
