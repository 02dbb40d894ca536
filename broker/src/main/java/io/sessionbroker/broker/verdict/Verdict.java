package io.sessionbroker.broker.verdict;

/**
 * The answer for one bearer token.
 *
 * @param reason why; {@link Reason#ALLOWED} when the token's session is live
 * @param token the verified token, or null when it did not verify
 */
public record Verdict(Reason reason, AccessToken token) {

  /** Whether the proxy may let the request through. */
  public boolean allowed() {
    return reason == Reason.ALLOWED;
  }

  /**
   * Why a verdict was given; {@link #tag()} is the {@code reason} tag of the metric {@code
   * sessionbroker.verdicts}.
   */
  public enum Reason {
    /** Valid access token, nothing revoked since its {@code iat}: 200. */
    ALLOWED("none", 200),
    /** No {@code Authorization: Bearer} header: 401. */
    NO_TOKEN("no_token", 401),
    /** Not decodable, bad signature, unknown issuer, disallowed client or bad claims: 401. */
    INVALID_TOKEN("invalid_token", 401),
    /** An ID, refresh or logout token: 401. */
    NOT_ACCESS_TOKEN("not_access_token", 401),
    /** {@code exp - iat} beyond {@code session-broker.verdict.max-token-lifetime}: 401. */
    LIFETIME("lifetime", 401),
    /** {@code exp} passed (beyond the clock skew): 401. */
    EXPIRED("expired", 401),
    /** Its {@code sid} was revoked at or after its {@code iat}: 401. */
    SESSION_REVOKED("session_revoked", 401),
    /** Its {@code sub} was revoked at or after its {@code iat}: 401. */
    USER_REVOKED("user_revoked", 401),
    /** Its client was revoked (not-before) at or after its {@code iat}: 401. */
    CLIENT_REVOKED("client_revoked", 401),
    /** The issuer's signing keys could not be fetched; the token may be valid: 503. */
    KEYS_UNAVAILABLE("keys_unavailable", 503),
    /** The revocation view is not read back from the streams yet: 503. */
    NOT_WARM("not_warm", 503);

    private final String tag;
    private final int status;

    Reason(String tag, int status) {
      this.tag = tag;
      this.status = status;
    }

    /** The metric tag and the {@code error_description} of a 401. */
    public String tag() {
      return tag;
    }

    /** The HTTP status answered. */
    public int status() {
      return status;
    }
  }
}
