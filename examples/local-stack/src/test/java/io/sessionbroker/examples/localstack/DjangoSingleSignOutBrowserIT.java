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
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue 11's must-show, in headless Chromium through real Keycloak: the Django app (app3, on
 * mozilla-django-oidc with {@code session_broker.django}) and the Java servlet app (app1) sign each
 * other out. Sign in to app1, open app3 (signed in by SSO), sign out in app3 → app1 is signed out;
 * sign in again, sign out in app1 → app3's open tab is told at once (server-sent events) and app3
 * is signed out on its next request. Screenshots in {@code target/screenshots/django-*}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DjangoSingleSignOutBrowserIT {

  private static final Path SCREENSHOTS = Path.of("target/screenshots");
  private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalStack stack;
  private static ChromeDriver browser;
  private static WebDriverWait wait;

  @BeforeAll
  static void startStackAndBrowser() throws IOException {
    stack =
        LocalStack.start(
            StackSettings.onFreePorts(Path.of("target/django-browser-test-stack")), System.out);
    Path profile = Files.createTempDirectory(Path.of("target"), "chromium-profile-");
    browser = HeadlessChromium.start(profile);
    wait = new WebDriverWait(browser, PAGE_TIMEOUT);
  }

  @AfterAll
  static void stopBrowserAndStack() {
    List<ProcessHandle> started = ProcessHandle.current().descendants().toList();
    if (browser != null) {
      browser.quit();
    }
    if (stack != null) {
      stack.close();
    }
    Awaitility.await("every process the test started to exit")
        .atMost(Duration.ofSeconds(20))
        .until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void whenUserSignsOutOfEitherAppThenTheOtherIsSignedOut() throws Exception {
    // 1. alice signs in to app1 (Java servlet) at Keycloak.
    browser.get(stack.app1Url() + "/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    browser.findElement(By.id("username")).sendKeys(KeycloakRealm.ALICE);
    browser.findElement(By.id("password")).sendKeys(KeycloakRealm.ALICE_PASSWORD);
    browser.findElement(By.id("kc-login")).click();
    awaitStatus(stack.app1Url(), "Signed in as alice");
    String firstSid = browser.findElement(By.id("sid")).getText();
    screenshot("django-01-app1-signed-in");
    String app1Tab = browser.getWindowHandle();

    // 2. app3 (Django) in a second tab: "Sign in" goes through Keycloak's SSO, no password.
    browser.switchTo().newWindow(WindowType.TAB);
    String app3Tab = browser.getWindowHandle();
    signInToApp3BySso();
    assertThat(browser.findElement(By.id("sid")).getText()).as("app3's sid").isEqualTo(firstSid);
    screenshot("django-02-app3-signed-in-by-sso");
    Awaitility.await("app3's registration at the broker")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(registrationStatuses(firstSid)).contains("app1=active", "app3=active"));

    // 3. Sign out in app3: its logout view sends the browser to Keycloak's end-session endpoint
    //    (id_token_hint + post_logout_redirect_uri), which back-channels the logout to the broker.
    browser.findElement(By.id("sign-out")).click();
    awaitStatus(stack.app3Url(), "Signed out");
    screenshot("django-03-app3-signed-out");
    Awaitility.await("the broker to record app1's session revoked")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(registrationStatuses(firstSid)).contains("app1=revoked"));

    // 4. app1 is signed out on its next request.
    browser.switchTo().window(app1Tab);
    browser.navigate().refresh();
    awaitStatus(stack.app1Url(), "Signed out");
    screenshot("django-04-app1-signed-out-by-app3");

    // 5. Sign in again (Keycloak asks for the password: the SSO session is gone), then app3 by SSO.
    browser.get(stack.app1Url() + "/login");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password")));
    browser.findElement(By.id("username")).sendKeys(KeycloakRealm.ALICE);
    browser.findElement(By.id("password")).sendKeys(KeycloakRealm.ALICE_PASSWORD);
    browser.findElement(By.id("kc-login")).click();
    awaitStatus(stack.app1Url(), "Signed in as alice");
    String secondSid = browser.findElement(By.id("sid")).getText();
    assertThat(secondSid).isNotEqualTo(firstSid);
    browser.switchTo().window(app3Tab);
    signInToApp3BySso();
    assertThat(browser.findElement(By.id("sid")).getText()).isEqualTo(secondSid);
    screenshot("django-05-app3-signed-in-again");

    // 6. Sign out in app1. app3's open tab hears it over server-sent events and shows a notice.
    browser.switchTo().window(app1Tab);
    browser.findElement(By.id("sign-out")).click();
    awaitStatus(stack.app1Url(), "Signed out");
    browser.switchTo().window(app3Tab);
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("session-broker-notice")));
    assertThat(browser.findElement(By.id("session-broker-notice")).getText())
        .contains("Signed out")
        .contains("another application");
    screenshot("django-06-app3-tab-told-at-once");

    // 7. app3's next request ends the Django session and says why.
    browser.get(stack.app3Url() + "/");
    awaitStatus(stack.app3Url(), "Signed out");
    assertThat(browser.getPageSource()).doesNotContain("Signed in as");
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Signed out");
    screenshot("django-07-app3-signed-out-by-app1");
    assertThat(registrationStatuses(secondSid)).contains("app1=revoked", "app3=revoked");
  }

  /** From app3's signed-out page: "Sign in", which Keycloak's SSO session answers at once. */
  private static void signInToApp3BySso() {
    browser.get(stack.app3Url() + "/");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("sign-in"))).click();
    awaitStatus(stack.app3Url(), "Signed in as alice");
    assertThat(browser.findElements(By.id("password"))).as("a password field").isEmpty();
  }

  /** Waits for the app's page (id {@code status}) to show {@code text}. */
  private static void awaitStatus(String appUrl, String text) {
    wait.until(ExpectedConditions.urlContains(appUrl));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), text));
  }

  private static void screenshot(String name) {
    HeadlessChromium.screenshot(browser, SCREENSHOTS.resolve(name + ".png"));
  }

  /** The broker's registrations of {@code sid}, as {@code clientId=status}, asked as admin. */
  private static List<String> registrationStatuses(String sid) throws Exception {
    String token =
        stack
            .keycloak()
            .browser(KeycloakRealm.DEMO)
            .clientCredentialsToken(KeycloakRealm.BROKER_ADMIN, KeycloakRealm.BROKER_ADMIN_SECRET);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(stack.brokerUrl() + "/api/v1/sessions?sid=" + sid))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("query of the broker's sessions").isEqualTo(200);
    List<String> statuses = new ArrayList<>();
    for (JsonNode item : JSON.readTree(response.body()).path("items")) {
      statuses.add(item.path("clientId").asText() + "=" + item.path("status").asText());
    }
    return statuses;
  }
}
