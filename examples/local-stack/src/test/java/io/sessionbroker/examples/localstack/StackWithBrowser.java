package io.sessionbroker.examples.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The fixture of the browser tests, registered as a static {@code @RegisterExtension} field: before
 * the class's tests it starts the local stack and one headless Chromium (a fresh profile under
 * {@code target/}) with a 20 s page wait; after them it quits the browser, closes the stack and
 * waits for every process the test started to exit. It also holds the steps those tests share.
 * Screenshots go to {@code target/screenshots/}.
 */
final class StackWithBrowser implements BeforeAllCallback, AfterAllCallback {

  private static final Path SCREENSHOTS = Path.of("target/screenshots");
  private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<StackSettings> settings;
  private final Duration exitBound;
  private LocalStack stack;
  private ChromeDriver browser;
  private WebDriverWait wait;

  /**
   * @param settings the stack's settings, made when the stack starts
   * @param exitBound how long the started processes may take to exit after the tests
   */
  StackWithBrowser(Supplier<StackSettings> settings, Duration exitBound) {
    this.settings = settings;
    this.exitBound = exitBound;
  }

  /** Starts the stack, then the browser; {@link #afterAll} stops whatever of them started. */
  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    stack = LocalStack.start(settings.get(), System.out);
    Path profile = Files.createTempDirectory(Path.of("target"), "chromium-profile-");
    browser = HeadlessChromium.start(profile);
    wait = new WebDriverWait(browser, PAGE_TIMEOUT);
  }

  LocalStack stack() {
    return stack;
  }

  ChromeDriver browser() {
    return browser;
  }

  /** Waits up to 60 s for a page condition. */
  WebDriverWait pageWait() {
    return wait;
  }

  /**
   * Quits the browser, closes the stack and waits up to the exit bound for every process the test
   * started to exit.
   */
  @Override
  public void afterAll(ExtensionContext context) {
    List<ProcessHandle> started = ProcessHandle.current().descendants().toList();
    if (browser != null) {
      browser.quit();
    }
    if (stack != null) {
      stack.close();
    }
    Awaitility.await("every process the test started to exit")
        .atMost(exitBound)
        .until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
  }

  /** Opens app1, which sends the browser to Keycloak's login page, and signs alice in there. */
  void signInToApp1AsAlice() {
    browser.get(stack.app1Url() + "/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    signInAsAlice();
    awaitStatus(stack.app1Url(), "Signed in as alice");
  }

  /** On Keycloak's login page: alice's user name and password, then "Sign In". */
  void signInAsAlice() {
    browser.findElement(By.id("username")).sendKeys(KeycloakRealm.ALICE);
    browser.findElement(By.id("password")).sendKeys(KeycloakRealm.ALICE_PASSWORD);
    browser.findElement(By.id("kc-login")).click();
  }

  /** Waits for the app's page (id {@code status}) to show {@code text}. */
  void awaitStatus(String appUrl, String text) {
    wait.until(ExpectedConditions.urlContains(appUrl));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), text));
  }

  /** Saves the page as {@code target/screenshots/<name>.png}. */
  void screenshot(String name) {
    HeadlessChromium.screenshot(browser, SCREENSHOTS.resolve(name + ".png"));
  }

  /** The broker's registrations of {@code sid}, as {@code clientId=status}, asked as admin. */
  List<String> registrationStatuses(String sid) throws Exception {
    List<String> statuses = new ArrayList<>();
    for (JsonNode item : sessionsAsAdmin("sid=" + sid)) {
      statuses.add(item.path("clientId").asText() + "=" + item.path("status").asText());
    }
    return statuses;
  }

  /** The SSO session ids of {@code clientId}'s active registrations, asked as admin. */
  List<String> registeredSids(String clientId) throws Exception {
    List<String> sids = new ArrayList<>();
    for (JsonNode item : sessionsAsAdmin("clientId=" + clientId)) {
      if ("active".equals(item.path("status").asText())) {
        sids.add(item.path("sid").asText());
      }
    }
    return sids;
  }

  /** {@code GET /api/v1/sessions?<query>} with the broker-admin service account's token. */
  private JsonNode sessionsAsAdmin(String query) throws Exception {
    String token =
        stack
            .keycloak()
            .browser(KeycloakRealm.DEMO)
            .clientCredentialsToken(KeycloakRealm.BROKER_ADMIN, KeycloakRealm.BROKER_ADMIN_SECRET);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(stack.brokerUrl() + "/api/v1/sessions?" + query))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(30))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("query of the broker's sessions").isEqualTo(200);
    return JSON.readTree(response.body()).path("items");
  }
}
