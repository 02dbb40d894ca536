package io.sessionbroker.examples.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionbroker.client.SessionRecord;
import io.sessionbroker.client.SessionRegistrationClient;
import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.keycloak.BrowserlessLogin;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import io.sessionbroker.testsupport.keycloak.KeycloakServer;
import io.sessionbroker.testsupport.keycloak.OidcTokens;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The README's first command, as a user runs it: {@code ./run-local} (here with {@code --no-build},
 * the build being the one running this test, and free ports instead of the well-known ones) starts
 * the stack, every part answers, a sign-in to app1's client registers with the broker and its
 * logout revokes the registration, and SIGTERM (as Ctrl-C) stops every process it started.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// A bound for a hung stack, not a performance check: a loaded machine may need many minutes.
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class RunLocalCommandIT {

  /**
   * Keycloak's start timeout ({@link KeycloakServer#DEFAULT_START_TIMEOUT}, which the launcher's
   * JVM shares) plus 240 s: app3's first start creates its Python virtual environment, pip from
   * PyPI.
   */
  private static final Duration START_TIMEOUT =
      KeycloakServer.DEFAULT_START_TIMEOUT.plusSeconds(240);

  private static final Path WORK_DIR = Path.of("target/run-local-test").toAbsolutePath();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Process runLocal;
  private static Path output;
  private static Properties urls;

  @BeforeAll
  static void runLocal() throws IOException {
    Path repository = StackSettings.findRepository();
    Files.createDirectories(WORK_DIR);
    Files.deleteIfExists(WORK_DIR.resolve(LocalStack.URLS_FILE));
    output = WORK_DIR.resolve("run-local.out");
    ProcessBuilder command =
        new ProcessBuilder("bash", repository.resolve("run-local").toString(), "--no-build")
            .directory(repository.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    command
        .environment()
        .putAll(
            Map.of(
                "LOCAL_STACK_DIR", WORK_DIR.toString(),
                "LOCAL_STACK_BROKER_MANAGEMENT_PORT", Integer.toString(FreePorts.next()),
                "LOCAL_STACK_REDIS_PORT", Integer.toString(FreePorts.next()),
                "LOCAL_STACK_KEYCLOAK_PORT", Integer.toString(FreePorts.next()),
                "LOCAL_STACK_BROKER_PORT", Integer.toString(FreePorts.next()),
                "LOCAL_STACK_APP1_PORT", Integer.toString(FreePorts.next()),
                "LOCAL_STACK_APP2_PORT", Integer.toString(FreePorts.next()),
                "LOCAL_STACK_APP3_PORT", Integer.toString(FreePorts.next())));
    String keycloakTimeout = System.getProperty("keycloak.start-timeout-seconds");
    if (keycloakTimeout != null) {
      // The launcher's own JVM starts Keycloak: hand it the same patience.
      command
          .environment()
          .put("JAVA_TOOL_OPTIONS", "-Dkeycloak.start-timeout-seconds=" + keycloakTimeout);
    }
    runLocal = command.start();
    runLocal.getOutputStream().close();
    Path urlsFile = WORK_DIR.resolve(LocalStack.URLS_FILE);
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    // The launcher writes the URLs file once the stack is ready, then prints its summary.
    while (!Files.exists(urlsFile) || !readOutput().contains("local stack is up")) {
      assertThat(runLocal.isAlive())
          .as("run-local is running; its output:%n%s", readOutput())
          .isTrue();
      assertThat(Instant.now()).as("stack ready in time").isBefore(deadline);
      sleep(500);
    }
    urls = new Properties();
    try (InputStream in = Files.newInputStream(urlsFile)) {
      urls.load(in);
    }
  }

  @AfterAll
  static void stopIfStillRunning() {
    if (runLocal != null && runLocal.isAlive()) {
      List<ProcessHandle> tree = runLocal.descendants().toList();
      runLocal.destroyForcibly();
      tree.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  @Order(1)
  void whenStartedThenItPrintsTheUrlsAndTheDemoUser() {
    String printed = readOutput();

    assertThat(printed)
        .contains("Session Broker local stack is up")
        .contains(url("app1.url") + "/")
        .contains(url("app2.url") + "/")
        .contains(url("broker.url"))
        .contains(url("broker.management.url") + "/q/health/ready")
        .contains(url("keycloak.url"))
        .contains("alice / alice");
  }

  /** Micrometer's duplicate redis.pool gauge warning used to appear at every broker start. */
  @Test
  @Order(2)
  void whenStartedThenTheBrokerLogsNoWarningAboutADuplicateGauge() throws IOException {
    String brokerLog = Files.readString(WORK_DIR.resolve("logs/broker.log"));

    assertThat(brokerLog).contains("Listening on").doesNotContain("has been already registered");
  }

  @Test
  @Order(2)
  void whenStartedThenEveryPartAnswers() throws Exception {
    assertThat(get(url("broker.management.url") + "/q/health/ready").statusCode()).isEqualTo(200);
    assertThat(get(url("issuer.url") + "/.well-known/openid-configuration").statusCode())
        .isEqualTo(200);

    HttpResponse<String> app1 = get(url("app1.url") + "/");
    assertThat(app1.statusCode()).isEqualTo(302);
    assertThat(app1.headers().firstValue("Location")).hasValue("/login");
    HttpResponse<String> app1Login = get(url("app1.url") + "/login");
    assertThat(app1Login.headers().firstValue("Location").orElseThrow())
        .startsWith(url("issuer.url") + "/protocol/openid-connect/auth?")
        .contains("client_id=app1");
    HttpResponse<String> app2 = get(url("app2.url") + "/");
    assertThat(app2.statusCode()).isEqualTo(302);
    assertThat(app2.headers().firstValue("Location").orElseThrow())
        .startsWith(url("issuer.url") + "/protocol/openid-connect/auth?")
        .contains("client_id=app2");
    for (String app : List.of("app1.url", "app2.url")) {
      HttpResponse<String> signedOut = get(url(app) + "/signed-out");
      assertThat(signedOut.statusCode()).isEqualTo(200);
      assertThat(signedOut.body()).contains("Signed out");
    }
  }

  @Test
  @Order(3)
  void whenAliceSignsInToApp1ThenHerSessionRegistersAndHerLogoutRevokesIt() throws Exception {
    BrowserlessLogin browser = new BrowserlessLogin(url("issuer.url"));
    OidcTokens tokens =
        browser.login(
            KeycloakRealm.APP1,
            KeycloakRealm.APP1_SECRET,
            url("app1.url") + "/callback",
            KeycloakRealm.ALICE,
            KeycloakRealm.ALICE_PASSWORD);
    String sessionId = "smoke-" + UUID.randomUUID();
    // The API's app caller is app1's service account, not Alice's access token.
    String appToken = browser.clientCredentialsToken(KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET);
    SessionRecord registered =
        SessionRegistrationClient.builder()
            .brokerUrl(url("broker.url"))
            .bearerToken(() -> appToken)
            .build()
            .register(sessionId, tokens.idToken());
    assertThat(registered.status()).isEqualTo("active");
    assertThat(registered.sid()).isEqualTo(tokens.sid());

    browser.logout(tokens.idToken(), KeycloakRealm.APP1, url("app1.url") + "/signed-out");

    Awaitility.await("the registration to be revoked")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> assertThat(registrationStatus(sessionId, appToken)).isEqualTo("revoked"));
  }

  /**
   * The README's quickstart curl block, taken from between its marker comments and run with bash as
   * written, against this stack: every call answers the status the README promises.
   */
  @Test
  @Order(4)
  void whenTheReadmeCurlBlockRunsAsWrittenThenEveryCallSucceeds() throws Exception {
    String script = readmeCurlBlock();
    ProcessBuilder command = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
    command.environment().put("BROKER", url("broker.url"));
    command.environment().put("ISSUER", url("issuer.url"));
    // curl honours http_proxy, which a CI machine may set; this stack listens on loopback only.
    for (String variable : List.of("no_proxy", "NO_PROXY")) {
      command
          .environment()
          .merge(
              variable, "127.0.0.1,localhost", (existing, loopback) -> existing + "," + loopback);
    }
    Process run = command.start();
    run.getOutputStream().close();
    String printed;
    try (InputStream out = run.getInputStream()) {
      printed = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("the block finished").isTrue();

    List<String> statuses = printed.lines().filter(line -> line.startsWith("HTTP ")).toList();
    assertThat(statuses)
        .as("statuses printed by the README's block; its output:%n%s", printed)
        .containsExactly("HTTP 201", "HTTP 200", "HTTP 200", "HTTP 200");
    assertThat(printed)
        .contains("\"status\":\"active\"")
        .contains("\"keycloakSession\":\"already_ended\"")
        .contains("\"reason\":\"admin\"");
  }

  /** The fenced block between {@code quickstart-curl:begin} and {@code :end} in README.md. */
  private static String readmeCurlBlock() throws IOException {
    String readme = Files.readString(StackSettings.findRepository().resolve("README.md"));
    int begin = readme.indexOf("<!-- quickstart-curl:begin -->");
    int end = readme.indexOf("<!-- quickstart-curl:end -->");
    assertThat(begin).as("README has the quickstart-curl markers").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String fenced = readme.substring(begin, end);
    int open = fenced.indexOf("```bash\n");
    int close = fenced.lastIndexOf("```");
    assertThat(open).as("a ```bash block between the markers").isNotNegative();
    return fenced.substring(open + "```bash\n".length(), close);
  }

  @Test
  @Order(5)
  void whenStoppedLikeCtrlCThenNoProcessIsLeft() throws Exception {
    List<ProcessHandle> started = runLocal.descendants().toList();
    assertThat(started).as("processes run-local started").hasSizeGreaterThanOrEqualTo(5);

    runLocal.destroy(); // SIGTERM: the launcher's shutdown hook stops the stack

    assertThat(runLocal.waitFor(90, TimeUnit.SECONDS)).as("run-local exited").isTrue();
    assertThat(started.stream().filter(ProcessHandle::isAlive).toList())
        .as("processes still alive")
        .isEmpty();
    assertThat(readOutput()).contains("Stopped; no process left running.");
  }

  private static String registrationStatus(String sessionId, String accessToken) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url("broker.url") + "/api/v1/sessions/" + sessionId))
            .header("Authorization", "Bearer " + accessToken)
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body()).path("status").asText();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String url(String name) {
    return urls.getProperty(name);
  }

  private static String readOutput() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
