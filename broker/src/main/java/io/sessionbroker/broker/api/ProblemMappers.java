package io.sessionbroker.broker.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.sessionbroker.broker.outbox.OutboxUnavailableException;
import io.sessionbroker.broker.session.InvalidIdException;
import io.sessionbroker.broker.session.InvalidRegistrationException;
import io.sessionbroker.broker.session.RegistryFullException;
import io.sessionbroker.broker.session.SessionNotFoundException;
import io.sessionbroker.broker.session.SessionRevokedException;
import io.sessionbroker.broker.store.RedisFailures;
import io.sessionbroker.broker.token.KeysUnavailableException;
import io.sessionbroker.broker.token.TokenRejectedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every API failure into an RFC 9457 problem; nothing leaks a token or a stack trace. */
public class ProblemMappers {

  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  /** {@code Retry-After} of {@code 503 registry_full}, seconds. */
  static final int REGISTRY_FULL_RETRY_AFTER_SECONDS = 30;

  @ServerExceptionMapper
  public Response revoked(SessionRevokedException e) {
    return Problem.response(Status.CONFLICT, "session_revoked", e.getMessage());
  }

  @ServerExceptionMapper
  public Response invalidRegistration(InvalidRegistrationException e) {
    Status status =
        switch (e.code()) {
          case "sub_mismatch", "too_many_sessions_for_sid" -> Status.CONFLICT;
          default -> Status.BAD_REQUEST;
        };
    return Problem.response(status, e.code(), e.getMessage());
  }

  /**
   * Redis's room is kept for revocations (SPEC §5): the registration was not stored. Space comes
   * back only as registrations expire or are deleted, so callers are asked to wait a while.
   */
  @ServerExceptionMapper
  public Response registryFull(RegistryFullException e) {
    return Response.fromResponse(
            Problem.response(Status.SERVICE_UNAVAILABLE, "registry_full", e.getMessage()))
        .header("Retry-After", REGISTRY_FULL_RETRY_AFTER_SECONDS)
        .build();
  }

  @ServerExceptionMapper
  public Response notFound(SessionNotFoundException e) {
    return Problem.response(Status.NOT_FOUND, "session_not_found", e.getMessage());
  }

  @ServerExceptionMapper
  public Response rejectedToken(TokenRejectedException e) {
    return Problem.response(Status.BAD_REQUEST, "invalid_id_token", e.getMessage());
  }

  @ServerExceptionMapper
  public Response keysUnavailable(KeysUnavailableException e) {
    return Problem.response(Status.SERVICE_UNAVAILABLE, "issuer_unavailable", e.getMessage());
  }

  @ServerExceptionMapper
  public Response apiRequest(ApiRequestException e) {
    return Problem.response(e.status(), e.code(), e.getMessage());
  }

  @ServerExceptionMapper
  public Response constraintViolation(ConstraintViolationException e) {
    String detail =
        e.getConstraintViolations().stream()
            .map(v -> lastNode(v.getPropertyPath().toString()) + ": " + v.getMessage())
            .sorted()
            .collect(Collectors.joining("; "));
    return Problem.response(Status.BAD_REQUEST, "invalid_request", detail);
  }

  @ServerExceptionMapper
  public Response unreadableJson(JsonProcessingException e) {
    return Problem.response(
        Status.BAD_REQUEST, "invalid_json", "the body is not valid JSON of the expected shape");
  }

  /** Wins over quarkus-rest-jackson's own mapper, which answers without a problem body. */
  @ServerExceptionMapper
  public Response mismatchedInput(MismatchedInputException e) {
    return Problem.response(
        Status.BAD_REQUEST, "invalid_json", "the body is not valid JSON of the expected shape");
  }

  @ServerExceptionMapper
  public Response unauthorized(UnauthorizedException e) {
    return Problem.response(
        Status.UNAUTHORIZED,
        "unauthorized",
        e.getMessage() == null ? "a valid bearer token is required" : e.getMessage());
  }

  @ServerExceptionMapper
  public Response invalidId(InvalidIdException e) {
    return Problem.response(Status.BAD_REQUEST, "invalid_request", e.getMessage());
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e) {
    return Problem.response(
        Status.FORBIDDEN,
        "forbidden",
        e.getMessage() == null ? "not allowed for this client" : e.getMessage());
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e) {
    Status status = Status.fromStatusCode(e.getResponse().getStatus());
    if (status == null) {
      status = Status.BAD_REQUEST;
    }
    String detail =
        status == Status.BAD_REQUEST
            ? "the request body or parameters are malformed"
            : status.getReasonPhrase();
    return Problem.response(status, "http_" + status.getStatusCode(), detail);
  }

  @ServerExceptionMapper
  public Response outboxUnavailable(OutboxUnavailableException e) {
    LOG.warnf("Revocation not recorded, temporarily unable: %s", e.toString());
    return Problem.response(
        Status.SERVICE_UNAVAILABLE,
        "store_unavailable",
        "the revocation could not be recorded right now; retry");
  }

  /**
   * Last resort (SPEC §5): 503 only for a Redis outage, which the caller may retry; anything else
   * is a defect or a misconfiguration, answered 500 and logged at ERROR with its stack trace.
   */
  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    if (RedisFailures.isUnavailable(e)) {
      LOG.warnf("Redis unavailable: %s", e.toString());
      return Problem.response(
          Status.SERVICE_UNAVAILABLE,
          "store_unavailable",
          "the session store is unreachable; retry");
    }
    LOG.error("Unexpected API failure", e);
    return Problem.response(Status.INTERNAL_SERVER_ERROR, "internal_error", "unexpected failure");
  }

  private static String lastNode(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(dot + 1);
  }
}
