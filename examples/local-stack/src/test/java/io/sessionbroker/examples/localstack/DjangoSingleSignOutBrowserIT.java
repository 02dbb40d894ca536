package io.sessionbroker.examples.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
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
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class DjangoSingleSignOutBrowserIT {

  @RegisterExtension
  static final StackWithBrowser FIXTURE =
      new StackWithBrowser(
          () -> StackSettings.onFreePorts(Path.of("target/django-browser-test-stack")),
          Duration.ofSeconds(60));

  @Test
  void whenUserSignsOutOfEitherAppThenTheOtherIsSignedOut() throws Exception {
    LocalStack stack = FIXTURE.stack();
    ChromeDriver browser = FIXTURE.browser();
    WebDriverWait wait = FIXTURE.pageWait();
    // 1. alice signs in to app1 (Java servlet) at Keycloak.
    FIXTURE.signInToApp1AsAlice();
    String firstSid = browser.findElement(By.id("sid")).getText();
    FIXTURE.screenshot("django-01-app1-signed-in");
    String app1Tab = browser.getWindowHandle();

    // 2. app3 (Django) in a second tab: "Sign in" goes through Keycloak's SSO, no password.
    browser.switchTo().newWindow(WindowType.TAB);
    String app3Tab = browser.getWindowHandle();
    signInToApp3BySso();
    assertThat(browser.findElement(By.id("sid")).getText()).as("app3's sid").isEqualTo(firstSid);
    FIXTURE.screenshot("django-02-app3-signed-in-by-sso");
    Awaitility.await("app3's registration at the broker")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(FIXTURE.registrationStatuses(firstSid))
                    .contains("app1=active", "app3=active"));

    // 3. Sign out in app3: its logout view sends the browser to Keycloak's end-session endpoint
    //    (id_token_hint + post_logout_redirect_uri), which back-channels the logout to the broker.
    browser.findElement(By.id("sign-out")).click();
    FIXTURE.awaitStatus(stack.app3Url(), "Signed out");
    FIXTURE.screenshot("django-03-app3-signed-out");
    Awaitility.await("the broker to record app1's session revoked")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> assertThat(FIXTURE.registrationStatuses(firstSid)).contains("app1=revoked"));

    // 4. app1 is signed out on its next request.
    browser.switchTo().window(app1Tab);
    browser.navigate().refresh();
    FIXTURE.awaitStatus(stack.app1Url(), "Signed out");
    FIXTURE.screenshot("django-04-app1-signed-out-by-app3");

    // 5. Sign in again (Keycloak asks for the password: the SSO session is gone), then app3 by SSO.
    browser.get(stack.app1Url() + "/login");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password")));
    FIXTURE.signInAsAlice();
    FIXTURE.awaitStatus(stack.app1Url(), "Signed in as alice");
    String secondSid = browser.findElement(By.id("sid")).getText();
    assertThat(secondSid).isNotEqualTo(firstSid);
    browser.switchTo().window(app3Tab);
    signInToApp3BySso();
    assertThat(browser.findElement(By.id("sid")).getText()).isEqualTo(secondSid);
    FIXTURE.screenshot("django-05-app3-signed-in-again");

    // 6. Sign out in app1. app3's open tab hears it over server-sent events and shows a notice.
    browser.switchTo().window(app1Tab);
    browser.findElement(By.id("sign-out")).click();
    FIXTURE.awaitStatus(stack.app1Url(), "Signed out");
    browser.switchTo().window(app3Tab);
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("session-broker-notice")));
    assertThat(browser.findElement(By.id("session-broker-notice")).getText())
        .contains("Signed out")
        .contains("another application");
    FIXTURE.screenshot("django-06-app3-tab-told-at-once");

    // 7. app3's next request ends the Django session and says why.
    browser.get(stack.app3Url() + "/");
    FIXTURE.awaitStatus(stack.app3Url(), "Signed out");
    assertThat(browser.getPageSource()).doesNotContain("Signed in as");
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Signed out");
    FIXTURE.screenshot("django-07-app3-signed-out-by-app1");
    assertThat(FIXTURE.registrationStatuses(secondSid)).contains("app1=revoked", "app3=revoked");
  }

  /** From app3's signed-out page: "Sign in", which Keycloak's SSO session answers at once. */
  private static void signInToApp3BySso() {
    FIXTURE.browser().get(FIXTURE.stack().app3Url() + "/");
    FIXTURE.pageWait().until(ExpectedConditions.elementToBeClickable(By.id("sign-in"))).click();
    FIXTURE.awaitStatus(FIXTURE.stack().app3Url(), "Signed in as alice");
    assertThat(FIXTURE.browser().findElements(By.id("password"))).as("a password field").isEmpty();
  }
}
