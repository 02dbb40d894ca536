package io.sessionbroker.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.sessionbroker.client.internal.PercentEncoding;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers and unregisters local sessions with the broker's REST API ({@code /api/v1/sessions})
 * over {@code java.net.http}.
 *
 * <p>Each request carries {@code Authorization: Bearer <token>} from the token supplier, asked anew
 * for every attempt so a refreshed token is picked up. Connection failures and {@code 5xx} answers
 * are retried with exponential backoff up to {@link Builder#maxAttempts(int)} attempts; {@code 4xx}
 * answers never are. Neither the bearer token nor the ID token ever appears in an exception message
 * or a log line.
 *
 * <p>Thread-safe; create one per application and reuse it.
 */
public final class SessionRegistrationClient {

  /** Default {@link Builder#maxAttempts(int)}: {@value}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** Default {@link Builder#initialBackoff(Duration)}: 200 ms. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);

  /** Default {@link Builder#maxBackoff(Duration)}: 2 s. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(2);

  /** Default {@link Builder#requestTimeout(Duration)}: 5 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(SessionRegistrationClient.class);
  private static final String SESSIONS_PATH = "api/v1/sessions";
  private static final String REDACTED = "[redacted]";

  private final URI sessionsUri;
  private final Supplier<String> bearerToken;
  private final HttpClient httpClient;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration requestTimeout;
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private SessionRegistrationClient(Builder builder) {
    String base = builder.brokerUrl.toString();
    this.sessionsUri = URI.create(base.endsWith("/") ? base : base + "/").resolve(SESSIONS_PATH);
    this.bearerToken = builder.bearerToken;
    this.httpClient =
        builder.httpClient != null
            ? builder.httpClient
            : HttpClient.newBuilder().connectTimeout(builder.requestTimeout).build();
    this.maxAttempts = builder.maxAttempts;
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    this.requestTimeout = builder.requestTimeout;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers a local session with the ID token from sign-in; the broker verifies it and takes
   * issuer, {@code sid} and {@code sub} from it.
   *
   * @return the stored record
   * @throws SessionRevokedException when the SSO session was already logged out: drop the session
   * @throws TooManySessionsForSidException when the sid already holds the most registrations
   * @throws RegistryFullException when the broker keeps its remaining room for revocations; retry
   *     after {@link RegistryFullException#retryAfter()}
   * @throws SessionBrokerException on any other failure
   */
  public SessionRecord register(String sessionId, String idToken) {
    requireText(sessionId, "sessionId");
    requireText(idToken, "idToken");
    ObjectNode body = json.createObjectNode();
    body.put("sessionId", sessionId);
    body.put("idToken", idToken);
    return register(sessionId, body, List.of(idToken));
  }

  /**
   * Registers a local session by its SSO session id; the issuer is the bearer token's issuer.
   *
   * @param sessionId the local session id
   * @param sid the Keycloak SSO session id
   * @param sub the user, or {@code null}
   * @param expiresAt when the registration may expire, or {@code null} for the broker's default
   * @return the stored record
   * @throws SessionRevokedException when the SSO session was already logged out: drop the session
   * @throws TooManySessionsForSidException when the sid already holds the most registrations
   * @throws RegistryFullException when the broker keeps its remaining room for revocations; retry
   *     after {@link RegistryFullException#retryAfter()}
   * @throws SessionBrokerException on any other failure
   */
  public SessionRecord register(String sessionId, String sid, String sub, Instant expiresAt) {
    requireText(sessionId, "sessionId");
    requireText(sid, "sid");
    ObjectNode body = json.createObjectNode();
    body.put("sessionId", sessionId);
    body.put("sid", sid);
    if (sub != null) {
      body.put("sub", sub);
    }
    if (expiresAt != null) {
      body.put("expiresAt", expiresAt.toString());
    }
    return register(sessionId, body, List.of());
  }

  /**
   * Deletes the registration of a local session (on local logout or expiry). A registration that is
   * already gone ({@code 404}) counts as success.
   *
   * @throws SessionBrokerException when the broker refuses or cannot be reached
   */
  public void unregister(String sessionId) {
    requireText(sessionId, "sessionId");
    URI uri = URI.create(sessionsUri + "/" + PercentEncoding.encode(sessionId));
    HttpResponse<String> response =
        send("DELETE", uri, HttpRequest.BodyPublishers.noBody(), List.of());
    if (response.statusCode() == 404 || isSuccess(response.statusCode())) {
      return;
    }
    throw failure("DELETE", response, List.of());
  }

  /**
   * The caller's registrations of one SSO session ({@code GET /api/v1/sessions?sid=}), first page
   * (up to 100 records), revoked ones included while the broker keeps them.
   *
   * @throws SessionBrokerException when the broker refuses or cannot be reached
   */
  public List<SessionRecord> sessionsOfSid(String sid) {
    requireText(sid, "sid");
    URI uri = URI.create(sessionsUri + "?limit=100&sid=" + PercentEncoding.encode(sid));
    HttpResponse<String> response =
        send("GET", uri, HttpRequest.BodyPublishers.noBody(), List.of());
    if (!isSuccess(response.statusCode())) {
      throw failure("GET", response, List.of());
    }
    try {
      JsonNode items = json.readTree(response.body()).path("items");
      List<SessionRecord> records = new ArrayList<>();
      for (JsonNode item : items) {
        records.add(json.treeToValue(item, SessionRecord.class));
      }
      return records;
    } catch (JsonProcessingException e) {
      throw new SessionBrokerException(
          "The broker answered " + response.statusCode() + " with an unreadable session page");
    }
  }

  private SessionRecord register(String sessionId, ObjectNode body, List<String> secrets) {
    HttpResponse<String> response =
        send("POST", sessionsUri, HttpRequest.BodyPublishers.ofString(body.toString()), secrets);
    if (isSuccess(response.statusCode())) {
      return readRecord(response);
    }
    if (response.statusCode() == 409
        && SessionRevokedException.PROBLEM_CODE.equals(problemCode(response))) {
      throw new SessionRevokedException(sessionId);
    }
    throw failure("POST", response, secrets);
  }

  private HttpResponse<String> send(
      String method, URI uri, HttpRequest.BodyPublisher body, List<String> secrets) {
    SessionBrokerException lastFailure = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        pause(attempt);
      }
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .timeout(requestTimeout)
              .header("Authorization", "Bearer " + token())
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, application/problem+json")
              .method(method, body)
              .build();
      try {
        HttpResponse<String> response =
            httpClient.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() < 500) {
          return response;
        }
        lastFailure = failure(method, response, secrets);
        LOG.debug(
            "{} {} answered {} (attempt {}/{})",
            method,
            uri.getPath(),
            response.statusCode(),
            attempt,
            maxAttempts);
      } catch (IOException e) {
        lastFailure =
            new SessionBrokerException(
                method
                    + " "
                    + uri.getPath()
                    + " failed: "
                    + redact(String.valueOf(e.getMessage()), secrets),
                e);
        LOG.debug(
            "{} {} failed (attempt {}/{}): {}",
            method,
            uri.getPath(),
            attempt,
            maxAttempts,
            e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SessionBrokerException("Interrupted during " + method + " " + uri.getPath(), e);
      }
    }
    LOG.warn("{} {} failed after {} attempt(s)", method, uri.getPath(), maxAttempts);
    throw lastFailure;
  }

  private String token() {
    String token;
    try {
      token = bearerToken.get();
    } catch (RuntimeException e) {
      throw new SessionBrokerException("The bearer token supplier failed", e);
    }
    if (token == null || token.isBlank()) {
      throw new SessionBrokerException("The bearer token supplier returned no token");
    }
    return token;
  }

  private void pause(int attempt) {
    long exponential = initialBackoff.toMillis() << Math.min(attempt - 2, 20);
    long capped = Math.min(exponential, maxBackoff.toMillis());
    // Equal jitter: never less than half the delay, so retries of many instances spread out.
    long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SessionBrokerException("Interrupted while waiting to retry", e);
    }
  }

  private SessionRecord readRecord(HttpResponse<String> response) {
    try {
      return json.readValue(response.body(), SessionRecord.class);
    } catch (JsonProcessingException e) {
      throw new SessionBrokerException(
          "The broker answered " + response.statusCode() + " with an unreadable session record");
    }
  }

  private BrokerResponseException failure(
      String method, HttpResponse<String> response, List<String> secrets) {
    String code = problemCode(response);
    String detail = problemText(response);
    StringBuilder message =
        new StringBuilder("The broker answered ")
            .append(response.statusCode())
            .append(" to ")
            .append(method)
            .append(' ')
            .append(response.uri().getPath());
    if (code != null) {
      message.append(" (").append(code).append(')');
    }
    if (detail != null) {
      message.append(": ").append(detail);
    }
    List<String> allSecrets = new ArrayList<>(secrets);
    allSecrets.add(bearerOf(response));
    String text = redact(message.toString(), allSecrets);
    if (response.statusCode() == 409 && TooManySessionsForSidException.PROBLEM_CODE.equals(code)) {
      return new TooManySessionsForSidException(text);
    }
    if (response.statusCode() == 503 && RegistryFullException.PROBLEM_CODE.equals(code)) {
      return new RegistryFullException(text, retryAfter(response));
    }
    return new BrokerResponseException(text, response.statusCode(), code);
  }

  /**
   * The {@code Retry-After} header (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date counted from
   * now (not negative); {@code null} when absent or unreadable.
   */
  private static Duration retryAfter(HttpResponse<String> response) {
    String value = response.headers().firstValue("Retry-After").map(String::trim).orElse("");
    if (value.isEmpty()) {
      return null;
    }
    if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Duration.ofSeconds(Long.parseLong(value));
      } catch (NumberFormatException e) {
        return null; // More digits than a long holds.
      }
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(Instant.now(), at);
      return wait.isNegative() ? Duration.ZERO : wait;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String bearerOf(HttpResponse<String> response) {
    String header = response.request().headers().firstValue("Authorization").orElse("");
    return header.startsWith("Bearer ") ? header.substring("Bearer ".length()) : header;
  }

  /** The problem code: {@code code}, else the last segment of {@code type}, else {@code error}. */
  private String problemCode(HttpResponse<String> response) {
    JsonNode problem = problemOf(response);
    if (problem == null) {
      return null;
    }
    String code = textOf(problem, "code");
    if (code != null) {
      return code;
    }
    String type = textOf(problem, "type");
    if (type != null && !"about:blank".equals(type)) {
      int cut =
          Math.max(type.lastIndexOf('/'), Math.max(type.lastIndexOf(':'), type.lastIndexOf('#')));
      return type.substring(cut + 1);
    }
    return textOf(problem, "error");
  }

  private String problemText(HttpResponse<String> response) {
    JsonNode problem = problemOf(response);
    if (problem == null) {
      return null;
    }
    String detail = textOf(problem, "detail");
    return detail != null ? detail : textOf(problem, "title");
  }

  private JsonNode problemOf(HttpResponse<String> response) {
    String body = response.body();
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode node = json.readTree(body);
      return node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static String textOf(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
  }

  /** Removes every secret from a text that came from elsewhere (a server, an exception). */
  private static String redact(String text, List<String> secrets) {
    String result = text;
    for (String secret : secrets) {
      if (secret != null && secret.length() >= 4) {
        result = result.replace(secret, REDACTED);
      }
    }
    return result;
  }

  private static boolean isSuccess(int status) {
    return status >= 200 && status < 300;
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }

  /** Builds a {@link SessionRegistrationClient}. */
  public static final class Builder {

    private URI brokerUrl;
    private Supplier<String> bearerToken;
    private HttpClient httpClient;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

    private Builder() {}

    /** The broker's base URL, e.g. {@code https://broker.example.com}. Required. */
    public Builder brokerUrl(URI brokerUrl) {
      this.brokerUrl = Objects.requireNonNull(brokerUrl, "brokerUrl");
      return this;
    }

    /** The broker's base URL as text. Required. */
    public Builder brokerUrl(String brokerUrl) {
      return brokerUrl(URI.create(Objects.requireNonNull(brokerUrl, "brokerUrl")));
    }

    /**
     * Supplies the bearer token (an access token of this application's Keycloak client, e.g. from
     * the client-credentials grant). Asked once per attempt. Required.
     */
    public Builder bearerToken(Supplier<String> bearerToken) {
      this.bearerToken = Objects.requireNonNull(bearerToken, "bearerToken");
      return this;
    }

    /** The HTTP client to use. Default: a new one with the request timeout as connect timeout. */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * How many attempts one call makes in total, retrying connection failures and {@code 5xx}.
     * Default {@value #DEFAULT_MAX_ATTEMPTS}; {@code 1} disables retries.
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1");
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The delay before the first retry; doubled for each further one. Default 200 ms. */
    public Builder initialBackoff(Duration backoff) {
      this.initialBackoff = requireNotNegative(backoff, "initialBackoff");
      return this;
    }

    /** The longest delay between two attempts. Default 2 s. */
    public Builder maxBackoff(Duration backoff) {
      this.maxBackoff = requireNotNegative(backoff, "maxBackoff");
      return this;
    }

    /** Timeout of one HTTP attempt. Default 5 s. */
    public Builder requestTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "requestTimeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("requestTimeout must be positive");
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalStateException when the broker URL or the token supplier is missing
     */
    public SessionRegistrationClient build() {
      if (brokerUrl == null) {
        throw new IllegalStateException("brokerUrl is required");
      }
      if (bearerToken == null) {
        throw new IllegalStateException("bearerToken supplier is required");
      }
      return new SessionRegistrationClient(this);
    }

    private static Duration requireNotNegative(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative");
      }
      return value;
    }
  }
}
