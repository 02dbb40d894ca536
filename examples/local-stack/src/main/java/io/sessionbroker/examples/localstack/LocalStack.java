package io.sessionbroker.examples.localstack;

import io.sessionbroker.testsupport.JavaProcess;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import io.sessionbroker.testsupport.keycloak.KeycloakServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The whole demo on this machine: redis-server, Keycloak with the demo realm, the Session Broker
 * and the example apps (app1 servlet, app2 Quarkus, app3 Django), each as its own process on
 * loopback.
 *
 * <p>Run {@code ./run-local} (or {@link #main}) for the interactive stack on well-known ports;
 * Ctrl-C stops every process it started. Tests use {@link #start(StackSettings, PrintStream)} with
 * {@link StackSettings#onFreePorts(Path)} and {@link #close()}.
 *
 * <p>Start order follows the dependencies: Redis; Keycloak, whose demo realm already points its
 * clients' back-channel logout URL at the broker's port and their redirect URIs at the apps'; the
 * broker (ready once Redis answers and Keycloak's keys are loaded); then both apps, which subscribe
 * to Redis before they serve. When the stack is up, {@value #URLS_FILE} in the work folder lists
 * every URL.
 */
public final class LocalStack implements AutoCloseable {

  /** File in the work folder, written once the stack is ready: the URLs as properties. */
  public static final String URLS_FILE = "stack.properties";

  private static final Duration BROKER_START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration APP_START_TIMEOUT = Duration.ofSeconds(90);
  private static final String LOOPBACK = "127.0.0.1";

  private final StackSettings settings;
  private final PrintStream progress;
  private final Path logs;
  private RedisServer redis;
  private KeycloakServer keycloak;

  /** Environment variables that configure the broker or the apps. */
  private static final List<String> ISOLATED_ENV_PREFIXES =
      List.of("QUARKUS_", "SESSION_BROKER_", "APP_", "OIDC_", "KC_");

  private final List<JavaProcess> children = new ArrayList<>();
  private DjangoApp app3;
  private boolean closed;
  private volatile boolean stopping;

  private LocalStack(StackSettings settings, PrintStream progress) {
    this.settings = settings;
    this.progress = progress;
    this.logs = settings.workDir().resolve("logs");
  }

  /**
   * Runs the interactive stack until Ctrl-C (SIGINT) or SIGTERM; exits with status 1 and a message
   * (no stack trace) when it cannot start, or when one of its processes dies.
   */
  public static void main(String[] args) {
    LocalStack stack;
    try {
      stack = start(StackSettings.fromEnvironment(System.getenv()), System.out);
    } catch (LocalStackException e) {
      System.err.println();
      System.err.println("The local stack could not start: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stack.stopping = true;
                  System.out.println("Stopping the local stack ...");
                  stack.close();
                  System.out.println("Stopped; no process left running.");
                },
                "local-stack-shutdown"));
    stack.printSummary(System.out);
    JavaProcess died = stack.awaitUnexpectedExit();
    System.err.println(
        died.name()
            + " exited unexpectedly (code "
            + died.exitValue()
            + "); see "
            + died.logFile()
            + ". Stopping the rest.");
    System.exit(1);
  }

  /**
   * Starts every part and waits until each is ready; on failure stops what was started and throws.
   *
   * @param progress where to report each step
   * @throws LocalStackException with a message that says what to do
   */
  public static LocalStack start(StackSettings settings, PrintStream progress) {
    LocalStack stack = new LocalStack(settings, progress);
    try {
      stack.launch();
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void launch() {
    requireFree(settings.redisPort(), "redis-server", "LOCAL_STACK_REDIS_PORT");
    requireFree(settings.keycloakPort(), "Keycloak", "LOCAL_STACK_KEYCLOAK_PORT");
    requireFree(settings.brokerPort(), "the broker", "LOCAL_STACK_BROKER_PORT");
    requireFree(
        settings.brokerManagementPort(),
        "the broker's management interface",
        "LOCAL_STACK_BROKER_MANAGEMENT_PORT");
    requireFree(settings.app1Port(), "app1", "LOCAL_STACK_APP1_PORT");
    requireFree(settings.app2Port(), "app2", "LOCAL_STACK_APP2_PORT");
    requireFree(settings.app3Port(), "app3 (Django)", "LOCAL_STACK_APP3_PORT");
    Path brokerJar =
        requireBuilt(settings.repository().resolve("broker/target/quarkus-app/quarkus-run.jar"));
    Path app1Jar =
        requireBuilt(settings.repository().resolve("examples/app-servlet/target/app-servlet.jar"));
    Path app2Jar =
        requireBuilt(
            settings
                .repository()
                .resolve("examples/app-quarkus/target/quarkus-app/quarkus-run.jar"));
    prepareWorkDir();

    step("redis-server on port " + settings.redisPort());
    try {
      redis = RedisServer.startOnPort(settings.redisPort(), List.of());
    } catch (IllegalStateException e) {
      throw new LocalStackException(e.getMessage(), e);
    }

    step("Keycloak with realm 'demo' on port " + settings.keycloakPort() + " (up to ~90 s)");
    if (System.getProperty("keycloak.instances.dir") == null) {
      System.setProperty(
          "keycloak.instances.dir", settings.workDir().resolve("keycloak").toString());
    }
    try {
      keycloak =
          KeycloakServer.builder()
              .realm(
                  KeycloakRealm.demo()
                      .brokerUrl(brokerUrl())
                      .app1Url(app1Url())
                      .app2Url(app2Url())
                      .app3Url(app3Url())
                      .build())
              .httpPort(settings.keycloakPort())
              .start();
    } catch (IllegalStateException | UncheckedIOException e) {
      throw new LocalStackException("Keycloak did not start: " + e.getMessage(), e);
    }

    step("Session Broker on port " + settings.brokerPort());
    JavaProcess broker =
        startJava(
            "broker",
            List.of(
                "-Dquarkus.http.host=" + LOOPBACK,
                "-Dquarkus.http.port=" + settings.brokerPort(),
                "-Dquarkus.management.host=" + LOOPBACK,
                "-Dquarkus.management.port=" + settings.brokerManagementPort(),
                "-Dquarkus.redis.hosts=" + redisUri(),
                "-Dsession-broker.issuers.demo.url=" + issuerUrl(),
                // The realm's admin client: admin revocations end the Keycloak SSO session too.
                "-Dsession-broker.issuers.demo.admin-client-id=" + KeycloakRealm.SESSION_BROKER,
                "-Dsession-broker.issuers.demo.operator-client-id=" + KeycloakRealm.OPERATOR_CLIENT,
                "-Dsession-broker.outbox.directory=" + settings.workDir().resolve("broker-outbox")),
            Map.of(
                "SESSION_BROKER_ISSUERS_DEMO_ADMIN_CLIENT_SECRET",
                KeycloakRealm.SESSION_BROKER_SECRET,
                "SESSION_BROKER_ISSUERS_DEMO_OPERATOR_CLIENT_SECRET",
                KeycloakRealm.OPERATOR_SECRET),
            brokerJar);
    awaitReady(broker, URI.create(brokerManagementUrl() + "/q/health/ready"), BROKER_START_TIMEOUT);

    step(
        "app1 (servlet) on port "
            + settings.app1Port()
            + ", app2 (Quarkus) on port "
            + settings.app2Port());
    JavaProcess app1 =
        startJava(
            "app1",
            List.of(
                "-Dapp.host=" + LOOPBACK,
                "-Dapp.port=" + settings.app1Port(),
                "-Doidc.issuer-url=" + issuerUrl(),
                "-Doidc.client-id=" + KeycloakRealm.APP1,
                "-Dsession-broker.url=" + brokerUrl(),
                "-Dsession-broker.redis-uri=" + redisUri(),
                "-Dsession-broker.issuer-alias=demo"),
            // Secrets through the environment, not the command line that `ps` shows.
            Map.of("OIDC_CLIENT_SECRET", KeycloakRealm.APP1_SECRET),
            app1Jar);
    JavaProcess app2 =
        startJava(
            "app2",
            List.of(
                "-Dquarkus.http.host=" + LOOPBACK,
                "-Dquarkus.http.port=" + settings.app2Port(),
                "-Dquarkus.oidc.auth-server-url=" + issuerUrl(),
                "-Dquarkus.oidc.client-id=" + KeycloakRealm.APP2,
                "-Dapp.session-broker.url=" + brokerUrl(),
                "-Dapp.session-broker.redis-uri=" + redisUri(),
                "-Dapp.session-broker.issuer-alias=demo"),
            Map.of(
                "QUARKUS_OIDC_CREDENTIALS_SECRET",
                KeycloakRealm.APP2_SECRET,
                // Quarkus encrypts its session cookie with this key (else with the short demo
                // client secret); a fresh one per run also invalidates old cookies.
                "QUARKUS_OIDC_TOKEN_STATE_MANAGER_ENCRYPTION_SECRET",
                randomSecret()),
            app2Jar);
    awaitReady(app1, URI.create(app1Url() + "/health"), APP_START_TIMEOUT);
    awaitReady(app2, URI.create(app2Url() + "/q/health/ready"), APP_START_TIMEOUT);

    step("app3 (Django) on port " + settings.app3Port() + " (first run: creates its venv)");
    app3 =
        DjangoApp.start(
            settings.repository(),
            settings.workDir(),
            logs.resolve("app3.log"),
            Map.of(
                "APP_HOST",
                LOOPBACK,
                "APP_PORT",
                Integer.toString(settings.app3Port()),
                "OIDC_ISSUER_URL",
                issuerUrl(),
                "OIDC_CLIENT_ID",
                KeycloakRealm.APP3,
                "OIDC_CLIENT_SECRET",
                KeycloakRealm.APP3_SECRET,
                "SESSION_BROKER_URL",
                brokerUrl(),
                "SESSION_BROKER_REDIS_URI",
                redisUri(),
                "SESSION_BROKER_ISSUER_ALIAS",
                "demo"));
    app3.awaitReady(URI.create(app3Url() + "/health"), APP_START_TIMEOUT);
    writeUrlsFile();
  }

  private JavaProcess startJava(
      String name, List<String> systemProperties, Map<String, String> env, Path jar) {
    JavaProcess.Builder launch =
        JavaProcess.builder(name, jar)
            .workingDir(settings.workDir())
            .logFile(logs.resolve(name + ".log"))
            // A developer's settings for some other deployment must not leak into the stack.
            .withoutInheritedEnv(ISOLATED_ENV_PREFIXES)
            .env(env);
    systemProperties.forEach(launch::jvmOption);
    try {
      JavaProcess child = launch.start();
      children.add(child);
      return child;
    } catch (UncheckedIOException e) {
      throw new LocalStackException(e.getMessage(), e);
    }
  }

  /** Waits for a part's health URL, in the stack's own error type. */
  private static void awaitReady(JavaProcess part, URI health, Duration timeout) {
    try {
      part.awaitReady(health, timeout);
    } catch (IllegalStateException e) {
      throw new LocalStackException(e.getMessage(), e);
    }
  }

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static Path requireBuilt(Path artifact) {
    if (!Files.isRegularFile(artifact)) {
      throw new LocalStackException(
          artifact
              + " is not built yet: run ./mvnw -B -q install -DskipTests in the repository"
              + " (./run-local does)");
    }
    return artifact;
  }

  private static void requireFree(int port, String what, String variable) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      throw new LocalStackException(
          "Port "
              + port
              + " (for "
              + what
              + ") is taken on "
              + LOOPBACK
              + ". Stop whatever listens there (see: ss -ltnp 'sport = :"
              + port
              + "') or pick another port with "
              + variable
              + "=<port>.");
    }
  }

  /**
   * Starts each run afresh: old logs and Keycloak instances belong to an old stack. The broker's
   * outbox stays: revocations it journaled (Redis down at Ctrl-C) are replayed by the next start,
   * as in production.
   */
  private void prepareWorkDir() {
    try {
      Files.createDirectories(settings.workDir());
      for (String leftover : List.of("logs", "keycloak", URLS_FILE)) {
        deleteTree(settings.workDir().resolve(leftover));
      }
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new LocalStackException(
          "Cannot prepare the work folder " + settings.workDir() + ": " + e.getMessage(), e);
    }
  }

  /** Written to a temporary file and moved into place, so a reader never sees half of it. */
  private void writeUrlsFile() {
    Properties urls = new Properties();
    urls().forEach(urls::setProperty);
    Path target = settings.workDir().resolve(URLS_FILE);
    try {
      Path temp = Files.createTempFile(settings.workDir(), URLS_FILE, ".tmp");
      try (Writer out = Files.newBufferedWriter(temp)) {
        urls.store(out, "Session Broker local stack, ready at " + Instant.now());
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new LocalStackException("Cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /** Every URL of the stack by name (as in {@value #URLS_FILE}). */
  public Map<String, String> urls() {
    Map<String, String> urls = new LinkedHashMap<>();
    urls.put("app1.url", app1Url());
    urls.put("app2.url", app2Url());
    urls.put("app3.url", app3Url());
    urls.put("broker.url", brokerUrl());
    urls.put("broker.management.url", brokerManagementUrl());
    urls.put("keycloak.url", keycloak.url());
    urls.put("issuer.url", issuerUrl());
    urls.put("redis.uri", redisUri());
    return urls;
  }

  private void printSummary(PrintStream out) {
    out.println();
    out.println("Session Broker local stack is up. Ctrl-C stops every process it started.");
    out.println();
    out.println("  app1 (servlet, Jetty)  " + app1Url() + "/");
    out.println("  app2 (Quarkus OIDC)    " + app2Url() + "/");
    out.println("  app3 (Django)          " + app3Url() + "/");
    out.println(
        "  broker                 "
            + brokerUrl()
            + "/api/v1  (health: "
            + brokerManagementUrl()
            + "/q/health/ready, Swagger UI: "
            + brokerManagementUrl()
            + "/q/swagger-ui)");
    out.println(
        "  Keycloak               "
            + keycloak.url()
            + "/admin/  (admin console: "
            + KeycloakServer.ADMIN_USERNAME
            + " / "
            + KeycloakServer.ADMIN_PASSWORD
            + ")");
    out.println(
        "  operator page          "
            + brokerUrl()
            + "/operator/demo  ("
            + KeycloakRealm.OPERATOR
            + " / "
            + KeycloakRealm.OPERATOR_PASSWORD
            + ")");
    out.println("  Redis                  " + redisUri());
    out.println();
    out.println(
        "  Sign in as "
            + KeycloakRealm.ALICE
            + " / "
            + KeycloakRealm.ALICE_PASSWORD
            + " (or "
            + KeycloakRealm.BOB
            + " / "
            + KeycloakRealm.BOB_PASSWORD
            + "). Open app1, then app2 (signed in by SSO);");
    out.println("  sign out in app1 and reload app2: it shows \"Signed out\".");
    out.println("  Logs: " + logs + " and " + keycloak.logFile());
    out.println();
  }

  /**
   * Blocks until one of the broker and app processes exits while the stack is not stopping, and
   * returns it. Ctrl-C in a terminal signals every process of the stack at once, so a part that
   * exits just before this JVM's shutdown hook starts is given a moment before it counts.
   */
  private JavaProcess awaitUnexpectedExit() {
    while (true) {
      if (app3 != null && !app3.isAlive()) {
        pause(Duration.ofSeconds(2));
        if (!stopping) {
          System.err.println(
              "app3 (Django) exited unexpectedly (code "
                  + app3.exitValue()
                  + "); see "
                  + app3.logFile()
                  + ". Stopping the rest.");
          System.exit(1);
        }
      }
      for (JavaProcess child : children) {
        if (!child.isAlive()) {
          pause(Duration.ofSeconds(2));
          if (!stopping) {
            return child;
          }
        }
      }
      pause(Duration.ofMillis(500));
      while (stopping) {
        pause(Duration.ofSeconds(1));
      }
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("Interrupted", e);
    }
  }

  private void step(String what) {
    progress.println("Starting " + what + " ...");
  }

  /** The Redis URI, {@code redis://127.0.0.1:<port>}. */
  public String redisUri() {
    return "redis://" + LOOPBACK + ":" + settings.redisPort();
  }

  /** The broker's base URL. */
  public String brokerUrl() {
    return "http://" + LOOPBACK + ":" + settings.brokerPort();
  }

  /** The base URL of the broker's management interface (health, metrics, OpenAPI under /q/). */
  public String brokerManagementUrl() {
    return "http://" + LOOPBACK + ":" + settings.brokerManagementPort();
  }

  /** app1's base URL. */
  public String app1Url() {
    return "http://" + LOOPBACK + ":" + settings.app1Port();
  }

  /** app2's base URL. */
  public String app2Url() {
    return "http://" + LOOPBACK + ":" + settings.app2Port();
  }

  /** app3's (Django) base URL. */
  public String app3Url() {
    return "http://" + LOOPBACK + ":" + settings.app3Port();
  }

  /** The demo realm's issuer URL. */
  public String issuerUrl() {
    return keycloak.issuerUrl(KeycloakRealm.DEMO);
  }

  /** The running Keycloak, e.g. for its admin helpers. */
  public KeycloakServer keycloak() {
    return keycloak;
  }

  /** The settings this stack runs with. */
  public StackSettings settings() {
    return settings;
  }

  /**
   * Stops the apps, the broker, Keycloak and Redis, in that order, each with its child processes.
   * Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (app3 != null) {
      app3.close();
    }
    for (int i = children.size() - 1; i >= 0; i--) {
      children.get(i).close();
    }
    if (keycloak != null) {
      keycloak.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
