package io.sessionbroker.client;

import java.util.Optional;

/** The broker's REST API answered with an error status (after any retries). */
public class BrokerResponseException extends SessionBrokerException {

  private static final long serialVersionUID = 1L;

  private final int statusCode;
  private final String problemCode;

  /**
   * An error response.
   *
   * @param message what failed, without any token
   * @param statusCode the HTTP status
   * @param problemCode the RFC 9457 problem {@code code} (or last segment of {@code type}), or
   *     {@code null}
   */
  public BrokerResponseException(String message, int statusCode, String problemCode) {
    super(message);
    this.statusCode = statusCode;
    this.problemCode = problemCode;
  }

  /** The HTTP status code. */
  public int statusCode() {
    return statusCode;
  }

  /** The problem code from the {@code application/problem+json} body, when there was one. */
  public Optional<String> problemCode() {
    return Optional.ofNullable(problemCode);
  }
}
