package io.sessionbroker.broker.token;

import java.io.IOException;

/**
 * An issuer's discovery document or JWKS could not be read ({@link IssuerMetadataClient}). The
 * message names what was read and its URL and says why, in words an operator can act on; it never
 * holds a token or a secret (none is sent to read metadata).
 */
public final class IssuerMetadataException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Why the metadata could not be read, for callers that answer each kind differently. */
  public enum Reason {
    /** No HTTP answer: DNS, connection, TLS trust or handshake, timeout. The cause says which. */
    UNREACHABLE,
    /** The reading thread was interrupted (its interrupt flag is set again). */
    INTERRUPTED,
    /** The server answered with a status other than 200 ({@link #status()}). */
    HTTP_STATUS,
    /** The answer was not a JSON object (discovery) or not a JSON Web Key Set (JWKS). */
    NOT_JSON,
    /** The document lacks a field the caller needs, or states it unusably. */
    INVALID
  }

  private final Reason reason;
  private final String url;
  private final int status;

  private IssuerMetadataException(
      Reason reason, String url, int status, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.url = url;
    this.status = status;
  }

  static IssuerMetadataException unreachable(String url, String message, IOException cause) {
    return new IssuerMetadataException(Reason.UNREACHABLE, url, 0, message, cause);
  }

  static IssuerMetadataException interrupted(String url, InterruptedException cause) {
    return new IssuerMetadataException(
        Reason.INTERRUPTED, url, 0, "interrupted while reading " + url, cause);
  }

  static IssuerMetadataException httpStatus(String url, int status, String message) {
    return new IssuerMetadataException(Reason.HTTP_STATUS, url, status, message, null);
  }

  static IssuerMetadataException notJson(String url, String message, Throwable cause) {
    return new IssuerMetadataException(Reason.NOT_JSON, url, 0, message, cause);
  }

  static IssuerMetadataException invalid(String url, String message) {
    return new IssuerMetadataException(Reason.INVALID, url, 0, message, null);
  }

  /** Why reading failed. */
  public Reason reason() {
    return reason;
  }

  /** The URL that was read (discovery document or JWKS). */
  public String url() {
    return url;
  }

  /** The HTTP status for {@link Reason#HTTP_STATUS}, else 0. */
  public int status() {
    return status;
  }

  /**
   * The I/O failure behind {@link Reason#UNREACHABLE} (e.g. {@code ConnectException}, {@code
   * SSLHandshakeException}, {@code HttpTimeoutException}), for callers that explain it at length;
   * null for the other reasons.
   */
  public IOException ioFailure() {
    return reason == Reason.UNREACHABLE ? (IOException) getCause() : null;
  }
}
