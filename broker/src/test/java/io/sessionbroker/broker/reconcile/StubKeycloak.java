package io.sessionbroker.broker.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for one Keycloak realm, for the failures a real Keycloak will not produce on demand
 * (HTTP 500, slow answers, rejected tokens, a missing realm). Serves discovery, the client
 * credentials grant and the admin paths the reconciliation job calls, with Keycloak's shapes.
 */
final class StubKeycloak implements AutoCloseable {

  /** How the user paths of the admin API behave. */
  enum Mode {
    /** Like Keycloak: known users' sessions, 404 for unknown users. */
    NORMAL,
    /** HTTP 500 on every user path. */
    SERVER_ERROR,
    /** Answers user paths only after {@link #SLOW_ANSWER_MILLIS}. */
    SLOW,
    /** HTTP 401 on every admin path, whatever the token. */
    REJECT_TOKENS,
    /** HTTP 404 "Realm not found." on every admin path. */
    NO_REALM
  }

  /**
   * Well beyond the job's timeout in these tests (5 s), which in turn leaves the stub's ordinary
   * answers room on a loaded machine.
   */
  static final long SLOW_ANSWER_MILLIS = 15_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern USER_PATH = Pattern.compile("/users/([^/]+)(/.*)?");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final String realm;
  private final Map<String, Set<String>> sessionsBySub = new ConcurrentHashMap<>();
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final AtomicInteger sessionRequests = new AtomicInteger();
  private final AtomicInteger adminRequests = new AtomicInteger();
  private final AtomicInteger generation = new AtomicInteger();
  private volatile Mode mode = Mode.NORMAL;
  private volatile boolean grantRefused;

  private StubKeycloak(String realm) {
    this.realm = realm;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not bind the stub Keycloak", e);
    }
    server.setExecutor(executor);
    server.createContext("/realms/" + realm + "/.well-known/openid-configuration", this::discovery);
    server.createContext("/realms/" + realm + "/protocol/openid-connect/token", this::token);
    server.createContext("/admin/realms/" + realm + "/", this::admin);
  }

  static StubKeycloak start(String realm) {
    StubKeycloak stub = new StubKeycloak(realm);
    stub.server.start();
    return stub;
  }

  String issuerUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/" + realm;
  }

  /**
   * Forgets users, counts and failure modes, and invalidates every token issued so far (as a
   * Keycloak restart with new keys would), so no test depends on a token cached by another.
   */
  void reset() {
    generation.incrementAndGet();
    sessionsBySub.clear();
    tokenRequests.set(0);
    sessionRequests.set(0);
    adminRequests.set(0);
    mode = Mode.NORMAL;
    grantRefused = false;
  }

  /** A user with these online sessions. */
  void user(String sub, String... sessionIds) {
    sessionsBySub.put(sub, Set.of(sessionIds));
  }

  void mode(Mode mode) {
    this.mode = mode;
  }

  /** Makes the token endpoint refuse the client credentials (HTTP 401, unauthorized_client). */
  void refuseGrant() {
    grantRefused = true;
  }

  int tokenRequests() {
    return tokenRequests.get();
  }

  int sessionRequests() {
    return sessionRequests.get();
  }

  /** Requests to any admin path, whatever the answer. */
  int adminRequests() {
    return adminRequests.get();
  }

  private void discovery(HttpExchange exchange) throws IOException {
    respond(
        exchange,
        200,
        Map.of(
            "issuer",
            issuerUrl(),
            "token_endpoint",
            issuerUrl() + "/protocol/openid-connect/token"));
  }

  private void token(HttpExchange exchange) throws IOException {
    tokenRequests.incrementAndGet();
    String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    if (grantRefused || !form.contains("grant_type=client_credentials")) {
      respond(exchange, 401, Map.of("error", "unauthorized_client"));
      return;
    }
    respond(
        exchange,
        200,
        Map.of(
            "access_token",
            tokenPrefix() + tokenRequests.get(),
            "expires_in",
            300,
            "token_type",
            "Bearer"));
  }

  private void admin(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath().substring(("/admin/realms/" + realm).length());
    Matcher user = USER_PATH.matcher(path);
    boolean userPath = user.matches();
    if (userPath && "/sessions".equals(user.group(2))) {
      sessionRequests.incrementAndGet();
    }
    adminRequests.incrementAndGet();
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (mode == Mode.REJECT_TOKENS
        || authorization == null
        || !authorization.startsWith("Bearer " + tokenPrefix())) {
      respond(exchange, 401, Map.of("error", "HTTP 401 Unauthorized"));
      return;
    }
    if (mode == Mode.NO_REALM) {
      respond(exchange, 404, Map.of("error", "Realm not found."));
      return;
    }
    if (path.equals("/users/count")) {
      respond(exchange, 200, sessionsBySub.size());
      return;
    }
    if (!userPath) {
      respond(exchange, 404, Map.of("error", "Unable to find matching target resource method"));
      return;
    }
    if (mode == Mode.SERVER_ERROR) {
      respond(exchange, 500, Map.of("error", "unknown_error"));
      return;
    }
    if (mode == Mode.SLOW) {
      sleep(SLOW_ANSWER_MILLIS);
    }
    Set<String> sessions = sessionsBySub.get(user.group(1));
    if (sessions == null) {
      respond(exchange, 404, Map.of("error", "User not found"));
    } else if (user.group(2) == null) {
      respond(exchange, 200, Map.of("id", user.group(1)));
    } else if (user.group(2).equals("/sessions")) {
      respond(exchange, 200, sessions.stream().map(id -> Map.of("id", id)).toList());
    } else if (user.group(2).equals("/consents")) {
      respond(exchange, 200, List.of());
    } else {
      respond(exchange, 404, Map.of("error", "Unable to find matching target resource method"));
    }
  }

  private String tokenPrefix() {
    return "stub-token-" + generation.get() + "-";
  }

  private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
