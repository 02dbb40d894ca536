package io.sessionbroker.broker.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem detail. {@code code} is a stable machine-readable reason (for example {@code
 * session_revoked}); {@code type} is derived from it.
 *
 * @param type URI naming the problem type
 * @param title short summary of the type
 * @param status HTTP status
 * @param detail what went wrong in this request
 * @param code machine-readable reason
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code) {

  /** Media type of problem responses. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** Builds the response for a problem. */
  public static Response response(Response.Status status, String code, String detail) {
    Problem problem =
        new Problem(
            "urn:session-broker:problem:" + code,
            status.getReasonPhrase(),
            status.getStatusCode(),
            detail,
            code);
    return Response.status(status).type(MEDIA_TYPE).entity(problem).build();
  }
}
