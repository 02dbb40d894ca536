package io.sessionbroker.broker.api;

import jakarta.ws.rs.core.Response.Status;

/** A request the API refuses, with the status and problem code to answer. */
public class ApiRequestException extends RuntimeException {

  private final Status status;
  private final String code;

  public ApiRequestException(Status status, String code, String detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }

  /** Shorthand for a 400 {@code invalid_request}. */
  public static ApiRequestException badRequest(String detail) {
    return new ApiRequestException(Status.BAD_REQUEST, "invalid_request", detail);
  }

  public Status status() {
    return status;
  }

  public String code() {
    return code;
  }
}
