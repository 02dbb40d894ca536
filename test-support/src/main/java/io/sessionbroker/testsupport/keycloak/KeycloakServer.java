package io.sessionbroker.testsupport.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.ProcessTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Keycloak ({@code kc.sh start-dev}) on free loopback ports, for end-to-end tests.
 *
 * <pre>{@code
 * try (KeycloakServer keycloak =
 *     KeycloakServer.builder()
 *         .realm(KeycloakRealm.demo().brokerUrl("http://127.0.0.1:" + brokerPort).build())
 *         .start()) {
 *   BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Isolation.</b> Each instance gets its own Keycloak home folder: {@code bin/kc.sh}, {@code
 * conf/}, {@code lib/quarkus-run.jar} and {@code lib/quarkus/} are copied, {@code lib/lib} and
 * {@code lib/app} are symbolic links to the shared {@link KeycloakDistribution}. {@code kc.sh}
 * takes its home from its own resolved path, so the server's H2 database ({@code data/h2}), its
 * import folder ({@code data/import}, read by {@code --import-realm}) and the Quarkus
 * re-augmentation output that {@code start-dev} writes into {@code lib/quarkus} all stay inside the
 * instance: parallel servers never share state and the shared copy is never written.
 *
 * <p><b>Start time.</b> {@code start-dev} re-augments the server on first start (about 8 s on a
 * 2-core machine, 20 s to ready in total). The augmented {@code lib/quarkus} of the first
 * successful start is kept in the cache folder and seeded into later instances, which then skip
 * that step (about 10 s to ready). Keycloak checks the seeded build itself and re-augments if its
 * options differ, so a stale seed costs time, never correctness.
 *
 * <p><b>Logs.</b> Keycloak's console output goes to {@link #logFile()}, never to the test's stdout.
 * The instance folder is {@code target/keycloak-instances/<name>} when the working directory is a
 * Maven module (so {@code mvn clean} removes it), else under {@code java.io.tmpdir}; {@code
 * -Dkeycloak.instances.dir} overrides both. {@link #close()} deletes everything there except the
 * log, which is kept for post-mortems.
 *
 * <p><b>Stopping.</b> {@link #close()} sends SIGTERM to {@code kc.sh} and every descendant (the
 * script runs Java as a child first and then, after a re-augmentation, {@code exec}s into it),
 * waits, then kills what is left. A JVM shutdown hook does the same if a test forgot.
 *
 * <p>The master realm's admin is {@value #ADMIN_USERNAME}/{@value #ADMIN_PASSWORD} (test-only
 * bootstrap credentials, passed through {@code KC_BOOTSTRAP_ADMIN_*}). The admin helpers fetch and
 * cache a token from the master realm's {@code admin-cli} client; the master realm's access tokens
 * live 60 s, so the cache renews them shortly before they expire.
 */
public final class KeycloakServer implements AutoCloseable {

  /** Username of the bootstrap administrator in the master realm. */
  public static final String ADMIN_USERNAME = "admin";

  /** Test-only password of the bootstrap administrator. */
  public static final String ADMIN_PASSWORD = "admin";

  /**
   * How long {@link Builder#start()} waits for Keycloak to be ready unless told otherwise: 600 s,
   * or the system property {@code keycloak.start-timeout-seconds}. A hang guard: Keycloak takes
   * 35-90 s on a quiet machine and several times that on a loaded one.
   */
  public static final Duration DEFAULT_START_TIMEOUT =
      Duration.ofSeconds(Long.getLong("keycloak.start-timeout-seconds", 600));

  private static final int LOG_LINES_ON_FAILURE = 100;
  private static final int BIND_ATTEMPTS = 3;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KeycloakDistribution distribution;
  private final List<KeycloakRealm> realms;
  private final List<String> extraArguments;
  private final Duration startTimeout;
  private final int fixedHttpPort;
  private final Path instanceDir;
  private final HttpClient http;
  private final Thread shutdownHook;
  private int port;
  private int managementPort;
  private Process process;
  private Duration startupTime;
  private String cachedAdminToken;
  private Instant cachedAdminTokenRenewAt = Instant.MIN;

  private KeycloakServer(Builder builder, Path instanceDir) {
    this.distribution = builder.distribution;
    this.realms = List.copyOf(builder.realms);
    this.extraArguments = List.copyOf(builder.extraArguments);
    this.startTimeout = builder.startTimeout;
    this.fixedHttpPort = builder.httpPort;
    this.instanceDir = instanceDir;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.shutdownHook =
        new Thread(this::stopProcess, "keycloak-" + instanceDir.getFileName() + "-shutdown");
  }

  /** A builder; add realms, then {@link Builder#start()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a server that imports the given realms, with the default options. */
  public static KeycloakServer start(KeycloakRealm... realms) {
    Builder builder = builder();
    for (KeycloakRealm realm : realms) {
      builder.realm(realm);
    }
    return builder.start();
  }

  // ---------------------------------------------------------------------------------------------
  // Start and stop

  private void launch() {
    prepareHome();
    Instant started = Instant.now();
    for (int attempt = 1; ; attempt++) {
      port = fixedHttpPort > 0 ? fixedHttpPort : FreePorts.next();
      managementPort = FreePorts.next();
      startProcess();
      StartOutcome outcome = awaitReady(started);
      if (outcome == StartOutcome.READY) {
        startupTime = Duration.between(started, Instant.now());
        saveAugmentedBuild();
        return;
      }
      stopProcess();
      if (outcome == StartOutcome.PORT_TAKEN && fixedHttpPort > 0) {
        throw new IllegalStateException(
            "Keycloak could not bind its port " + fixedHttpPort + ": it is taken");
      }
      // FreePorts can only promise a port was free a moment ago; another process may have taken
      // it since, so a bind failure is retried on fresh ports.
      if (outcome != StartOutcome.PORT_TAKEN || attempt == BIND_ATTEMPTS) {
        throw new IllegalStateException(
            "Keycloak did not start ("
                + outcome
                + " after "
                + Duration.between(started, Instant.now()).toSeconds()
                + " s); last "
                + LOG_LINES_ON_FAILURE
                + " lines of "
                + logFile()
                + ":\n"
                + logTail(LOG_LINES_ON_FAILURE));
      }
    }
  }

  private void prepareHome() {
    Path shared = distribution.home();
    try {
      Files.createDirectories(instanceDir.resolve("bin"));
      Files.createDirectories(instanceDir.resolve("lib"));
      Files.createDirectories(instanceDir.resolve("providers"));
      Files.createDirectories(instanceDir.resolve("themes"));
      Files.createDirectories(instanceDir.resolve("data/import"));
      Path kcSh = instanceDir.resolve("bin/kc.sh");
      Files.copy(shared.resolve("bin/kc.sh"), kcSh);
      kcSh.toFile().setExecutable(true, false);
      copyTree(shared.resolve("conf"), instanceDir.resolve("conf"));
      Files.copy(shared.resolve("lib/quarkus-run.jar"), instanceDir.resolve("lib/quarkus-run.jar"));
      Files.createSymbolicLink(instanceDir.resolve("lib/lib"), shared.resolve("lib/lib"));
      Files.createSymbolicLink(instanceDir.resolve("lib/app"), shared.resolve("lib/app"));
      Path augmented = augmentedBuildCache();
      copyTree(
          Files.isDirectory(augmented) ? augmented : shared.resolve("lib/quarkus"),
          instanceDir.resolve("lib/quarkus"));
      for (KeycloakRealm realm : realms) {
        Files.writeString(
            instanceDir.resolve("data/import/" + realm.name() + "-realm.json"), realm.json());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not prepare Keycloak home " + instanceDir, e);
    }
  }

  private void startProcess() {
    List<String> command = new ArrayList<>();
    command.add(instanceDir.resolve("bin/kc.sh").toString());
    command.add("start-dev");
    command.add("--http-host=127.0.0.1");
    command.add("--http-port=" + port);
    command.add("--http-management-port=" + managementPort);
    command.add("--health-enabled=true");
    if (!realms.isEmpty()) {
      command.add("--import-realm");
    }
    command.addAll(extraArguments);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(instanceDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    Map<String, String> env = builder.environment();
    // Keycloak reads KC_* and QUARKUS_* from the environment; a developer's or CI's settings for
    // another Keycloak or for the broker must not leak into this one.
    env.keySet().removeIf(name -> name.startsWith("KC_") || name.startsWith("QUARKUS_"));
    env.remove("JAVA_OPTS");
    env.remove("JAVA_OPTS_APPEND");
    env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USERNAME);
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    try {
      process = builder.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not run " + command.get(0), e);
    }
    try {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } catch (IllegalArgumentException alreadyAdded) {
      // A retry on fresh ports reuses the hook registered by the first attempt.
    }
  }

  private enum StartOutcome {
    READY,
    PORT_TAKEN,
    EXITED,
    TIMED_OUT
  }

  private StartOutcome awaitReady(Instant started) {
    Instant deadline = started.plus(startTimeout);
    URI health = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        String log = logTail(LOG_LINES_ON_FAILURE);
        return log.contains("Address already in use") || log.contains("already in use")
            ? StartOutcome.PORT_TAKEN
            : StartOutcome.EXITED;
      }
      if (status(health) == 200 && realmsServed()) {
        return StartOutcome.READY;
      }
      sleep(250);
    }
    return StartOutcome.TIMED_OUT;
  }

  private boolean realmsServed() {
    for (KeycloakRealm realm : realms) {
      if (status(URI.create(issuerUrl(realm.name()))) != 200) {
        return false;
      }
    }
    return status(URI.create(issuerUrl("master"))) == 200;
  }

  private int status(URI uri) {
    try {
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Keycloak", e);
    }
  }

  /**
   * Keeps the re-augmented {@code lib/quarkus} of this start so that the next instance with the
   * same options skips the step. Written to a private folder and renamed into place, so a
   * concurrent instance either sees a complete copy or none.
   */
  private void saveAugmentedBuild() {
    Path target = augmentedBuildCache();
    if (Files.isDirectory(target)) {
      return;
    }
    Path temp = null;
    try {
      temp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".tmp-");
      copyTree(instanceDir.resolve("lib/quarkus"), temp.resolve("quarkus"));
      Files.move(temp.resolve("quarkus"), target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // Another JVM won the race, or the cache is read-only: the next start just re-augments.
    } finally {
      if (temp != null) {
        KeycloakDistribution.deleteTree(temp);
      }
    }
  }

  /** The augmented build depends on the build-time options, which only the extra args vary. */
  private Path augmentedBuildCache() {
    String key = String.join("\n", extraArguments);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      String suffix = HexFormat.of().formatHex(digest, 0, 6);
      return distribution
          .home()
          .resolveSibling("keycloak-" + distribution.version() + "-start-dev-" + suffix);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private synchronized void stopProcess() {
    if (process == null) {
      return;
    }
    ProcessTree.stop(process.toHandle(), STOP_TIMEOUT);
    process = null;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // Called from the hook itself while the JVM exits: nothing left to unregister.
    }
  }

  /** Stops Keycloak and its child processes and deletes the instance folder except the log. */
  @Override
  public void close() {
    stopProcess();
    try (Stream<Path> children = Files.list(instanceDir)) {
      children.filter(child -> !child.equals(logFile())).forEach(KeycloakDistribution::deleteTree);
    } catch (IOException e) {
      // Leftovers in target/ or the temp folder are harmless; the process is what must not leak.
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Addresses and facts

  /** The base URL, {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The HTTP port. */
  public int port() {
    return port;
  }

  /** The management port, serving {@code /health/live}, {@code /health/ready}. */
  public int managementPort() {
    return managementPort;
  }

  /** The issuer URL of a realm, equal to the {@code iss} of its tokens. */
  public String issuerUrl(String realm) {
    return url() + "/realms/" + realm;
  }

  /** A new, cookie-isolated "browser" for sign-ins into a realm of this server. */
  public BrowserlessLogin browser(String realm) {
    return new BrowserlessLogin(issuerUrl(realm));
  }

  /** This instance's Keycloak home (kept until {@link #close()}). */
  public Path instanceDir() {
    return instanceDir;
  }

  /** Keycloak's console log. */
  public Path logFile() {
    return instanceDir.resolve("keycloak.log");
  }

  /** From launching {@code kc.sh} to health ready and every realm served. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Whether the Keycloak process is running. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The last {@code lines} lines of the log, for failure messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Admin REST API

  /**
   * A master-realm admin access token (password grant on {@code admin-cli}), cached until shortly
   * before it expires.
   */
  public synchronized String adminToken() {
    if (cachedAdminToken != null && Instant.now().isBefore(cachedAdminTokenRenewAt)) {
      return cachedAdminToken;
    }
    String form =
        form(
            Map.of(
                "grant_type",
                "password",
                "client_id",
                "admin-cli",
                "username",
                ADMIN_USERNAME,
                "password",
                ADMIN_PASSWORD));
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(
                    URI.create(issuerUrl("master") + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    if (response.statusCode() != 200) {
      // The body is an OAuth error object here, never a token.
      throw new IllegalStateException(
          "Admin token request failed: " + response.statusCode() + " " + response.body());
    }
    JsonNode body = readJson(response.body());
    cachedAdminToken = body.path("access_token").asText();
    long lifetime = body.path("expires_in").asLong(60);
    cachedAdminTokenRenewAt = Instant.now().plusSeconds(Math.max(1, lifetime - 15));
    return cachedAdminToken;
  }

  /**
   * Calls the admin REST API and returns the raw response, whatever its status.
   *
   * @param method HTTP method
   * @param path path from the server root, e.g. {@code /admin/realms/demo/users?username=alice}
   * @param jsonBody request body, or {@code null} for none
   */
  public HttpResponse<String> admin(String method, String path, String jsonBody) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("Admin path must start with '/': " + path);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url() + path))
            .header("Authorization", "Bearer " + adminToken())
            .header("Accept", "application/json");
    if (jsonBody == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
    }
    return send(request);
  }

  /** GET on the admin API; fails unless 2xx. Returns the JSON body. */
  public JsonNode adminGet(String path) {
    return expectSuccess("GET", path, admin("GET", path, null));
  }

  /** POST of a JSON body (or none, when {@code null}); fails unless 2xx. */
  public JsonNode adminPost(String path, String jsonBody) {
    return expectSuccess("POST", path, admin("POST", path, jsonBody));
  }

  /** PUT of a JSON body; fails unless 2xx. */
  public JsonNode adminPut(String path, String jsonBody) {
    return expectSuccess("PUT", path, admin("PUT", path, jsonBody));
  }

  /** DELETE; fails unless 2xx. */
  public void adminDelete(String path) {
    expectSuccess("DELETE", path, admin("DELETE", path, null));
  }

  /**
   * Realm-wide "Sign out all active sessions": {@code POST /admin/realms/{realm}/logout-all}.
   *
   * <p>Observed with Keycloak 26.5.6: it removes every user session of the realm, sets the realm's
   * not-before to now, and POSTs a legacy {@code k_logout} action to {@code <Admin URL>/k_logout}
   * of <em>every</em> client that has an Admin URL, whether or not that client has sessions. It
   * sends <em>no</em> back-channel logout token to anyone. The action is a compact JWS, body {@code
   * text/plain; charset=ISO-8859-1}, header {@code {"alg":"RS256","typ":"JWT","kid":<realm key>}},
   * payload {@code {"id":"<uuid>-<millis>","expiration":<now+30 s>,"resource":"<clientId>",
   * "action":"LOGOUT","notBefore":<the new realm not-before>}}: no {@code iss}, no {@code aud}, no
   * session ids, so a receiver verifies it against the realm's JWKS, checks {@code expiration} and
   * {@code resource}, and revokes every session of that client issued before {@code notBefore}. The
   * calls are made one after the other before the admin request returns.
   *
   * @return Keycloak's {@code GlobalRequestResult}: {@code successRequests} (and {@code
   *     failedRequests} when any), each entry the Admin URL called, once per client
   */
  public JsonNode logoutAllSessions(String realm) {
    return adminPost("/admin/realms/" + realm + "/logout-all", null);
  }

  /**
   * "Push" of the realm's not-before policy: {@code POST /admin/realms/{realm}/push-revocation}.
   *
   * <p>Observed with Keycloak 26.5.6: POSTs a {@code k_push_not_before} action to {@code <Admin
   * URL>/k_push_not_before} of every client that has an Admin URL, in the same JWS format as {@link
   * #logoutAllSessions} with {@code "action":"PUSH_NOT_BEFORE"} and {@code notBefore} = the realm's
   * current not-before (0 unless something set it, such as a logout-all). It sets no new
   * not-before, removes no session and sends no back-channel logout token.
   *
   * @return Keycloak's {@code GlobalRequestResult}
   */
  public JsonNode pushRevocation(String realm) {
    return adminPost("/admin/realms/" + realm + "/push-revocation", null);
  }

  /**
   * Ends one SSO session: {@code DELETE /admin/realms/{realm}/sessions/{sessionId}} (the admin
   * console's "Sign out" on a session). The session id is the {@code sid} of the session's tokens.
   * Keycloak sends one back-channel logout token to every client of the session, as for a
   * user-initiated logout, before the request returns; no {@code k_logout}.
   */
  public void deleteUserSession(String realm, String sessionId) {
    adminDelete("/admin/realms/" + realm + "/sessions/" + encode(sessionId));
  }

  /**
   * Ends every session of one user: {@code POST /admin/realms/{realm}/users/{id}/logout} (the admin
   * console's "Sign out" on a user). It also sets the user's not-before to now.
   *
   * <p>Observed with Keycloak 26.5.6: within this one request each client receives <em>at most
   * one</em> back-channel logout token, for whichever of the user's sessions Keycloak processes
   * first; the user's other sessions are removed without any logout token to that client (Keycloak
   * keeps its "client logged out" marks per request, not per session). A user with two browsers
   * signed into {@code app1} yields one token for one {@code sid}. The logout tokens carry {@code
   * sub}, so a receiver that also revokes by {@code sub} (or reconciles against Keycloak's session
   * list) does not miss the silent ones. No {@code k_logout} is sent.
   */
  public void logoutUser(String realm, String username) {
    adminPost("/admin/realms/" + realm + "/users/" + userId(realm, username) + "/logout", null);
  }

  /** The internal id of a user (the {@code sub} of the user's tokens). */
  public String userId(String realm, String username) {
    JsonNode users =
        adminGet("/admin/realms/" + realm + "/users?exact=true&username=" + encode(username));
    if (users.size() != 1) {
      throw new IllegalStateException("No single user " + username + " in realm " + realm);
    }
    return users.get(0).path("id").asText();
  }

  /**
   * The user's SSO sessions, each with {@code id} (the {@code sid}), {@code start}, {@code
   * lastAccess} and {@code clients}.
   */
  public JsonNode userSessions(String realm, String username) {
    return adminGet("/admin/realms/" + realm + "/users/" + userId(realm, username) + "/sessions");
  }

  /** The internal id of a client (admin paths take it, not the {@code clientId}). */
  public String clientUuid(String realm, String clientId) {
    JsonNode clients = adminGet("/admin/realms/" + realm + "/clients?clientId=" + encode(clientId));
    if (clients.size() != 1) {
      throw new IllegalStateException("No single client " + clientId + " in realm " + realm);
    }
    return clients.get(0).path("id").asText();
  }

  private JsonNode expectSuccess(String method, String path, HttpResponse<String> response) {
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "Keycloak admin "
              + method
              + " "
              + path
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
    String body = response.body();
    return body == null || body.isBlank() ? NullNode.getInstance() : readJson(body);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(
          request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("Keycloak at " + url() + " did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while calling Keycloak", e);
    }
  }

  private static JsonNode readJson(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("Keycloak answered with no JSON: " + e.getMessage());
    }
  }

  static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(field -> encode(field.getKey()) + "=" + encode(field.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : paths.collect(Collectors.toList())) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Keycloak", e);
    }
  }

  private static Path defaultInstancesDir() {
    String configured = System.getProperty("keycloak.instances.dir");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath();
    }
    Path target = Path.of("target").toAbsolutePath();
    if (Files.isDirectory(target)) {
      return target.resolve("keycloak-instances");
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "session-broker-keycloak", "instances");
  }

  /** Options for a {@link KeycloakServer}. */
  public static final class Builder {

    private final List<KeycloakRealm> realms = new ArrayList<>();
    private final List<String> extraArguments = new ArrayList<>();
    private Duration startTimeout = DEFAULT_START_TIMEOUT;
    private int httpPort;
    private KeycloakDistribution distribution;

    private Builder() {}

    /** Imports a realm at start ({@code --import-realm}). */
    public Builder realm(KeycloakRealm realm) {
      realms.add(realm);
      return this;
    }

    /** Adds a {@code kc.sh start-dev} option, e.g. {@code --features=token-exchange}. */
    public Builder argument(String argument) {
      extraArguments.add(argument);
      return this;
    }

    /**
     * A fixed HTTP port, e.g. for an interactive stack whose URLs should stay the same between
     * runs; {@code 0} (the default) picks a free one. A taken fixed port fails the start at once.
     */
    public Builder httpPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("Not a port: " + port);
      }
      httpPort = port;
      return this;
    }

    /** How long to wait for readiness before failing with the log's tail (default 180 s). */
    public Builder startTimeout(Duration timeout) {
      startTimeout = timeout;
      return this;
    }

    /** Starts Keycloak and waits until it is ready; fails with the log's tail if it is not. */
    public KeycloakServer start() {
      if (distribution == null) {
        distribution = KeycloakDistribution.get();
      }
      Path instanceDir;
      try {
        Path parent = defaultInstancesDir();
        Files.createDirectories(parent);
        instanceDir = Files.createTempDirectory(parent, "keycloak-");
      } catch (IOException e) {
        throw new UncheckedIOException("Could not create a Keycloak instance folder", e);
      }
      KeycloakServer server = new KeycloakServer(this, instanceDir);
      try {
        server.launch();
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      return server;
    }
  }
}
