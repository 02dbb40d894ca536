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
 * Issue 4's must-show, in a real (headless) browser against the local stack: sign in to app1 at
 * Keycloak, get into app2 by SSO without a password, sign out in app1, and app2 — told by
 * Keycloak's back-channel logout, the broker and its own client library — shows "Signed out" by
 * itself (live push) and then drops its session. Each step leaves a screenshot in {@code
 * target/screenshots/}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SingleSignOutBrowserIT {

  @RegisterExtension
  static final StackWithBrowser FIXTURE =
      new StackWithBrowser(
          () -> StackSettings.onFreePorts(Path.of("target/browser-test-stack")),
          Duration.ofSeconds(60));

  @Test
  void whenUserSignsOutOfApp1ThenApp2SignsOutByItself() throws Exception {
    LocalStack stack = FIXTURE.stack();
    ChromeDriver browser = FIXTURE.browser();
    WebDriverWait wait = FIXTURE.pageWait();
    // 1. app1 sends the browser to Keycloak's login page.
    browser.get(stack.app1Url() + "/");
    wait.until(ExpectedConditions.urlContains(stack.issuerUrl() + "/protocol/openid-connect/auth"));
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    FIXTURE.screenshot("01-app1-redirects-to-keycloak-login");

    // 2. alice signs in and is back at app1.
    FIXTURE.signInAsAlice();
    FIXTURE.awaitStatus(stack.app1Url(), "Signed in as alice");
    String app1Sid = browser.findElement(By.id("sid")).getText();
    assertThat(browser.findElement(By.id("registration")).getText()).contains("registered as");
    FIXTURE.screenshot("02-app1-signed-in");
    String app1Tab = browser.getWindowHandle();

    // 3. app2 in a second tab: Keycloak's SSO session signs alice in with no password page.
    browser.switchTo().newWindow(WindowType.TAB);
    String app2Tab = browser.getWindowHandle();
    browser.get(stack.app2Url() + "/");
    FIXTURE.awaitStatus(stack.app2Url(), "Signed in as alice");
    assertThat(browser.findElements(By.id("password"))).as("a password field").isEmpty();
    assertThat(browser.findElement(By.id("sid")).getText()).as("app2's sid").isEqualTo(app1Sid);
    FIXTURE.screenshot("03-app2-signed-in-by-sso");
    assertThat(FIXTURE.registrationStatuses(app1Sid))
        .as("registrations of sid %s", app1Sid)
        .containsExactlyInAnyOrder("app1=active", "app2=active");

    // 4. Sign out in app1: Keycloak ends the SSO session and sends its back-channel logout tokens
    //    to the broker, which publishes an event to each app's client library.
    browser.switchTo().window(app1Tab);
    browser.findElement(By.id("sign-out")).click();
    wait.until(ExpectedConditions.urlContains(stack.app1Url() + "/signed-out"));
    FIXTURE.awaitStatus(stack.app1Url(), "Signed out");
    FIXTURE.screenshot("04-app1-signed-out");
    Awaitility.await("the broker to record both sessions revoked")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(FIXTURE.registrationStatuses(app1Sid))
                    .containsExactlyInAnyOrder("app1=revoked", "app2=revoked"));

    // 5. app2's tab, never reloaded: live push shows the notice and then moves the tab to
    //    /signed-out, where app2 drops the revoked cookie session (LivePushBrowserIT checks the
    //    notice itself and its timing).
    browser.switchTo().window(app2Tab);
    wait.until(ExpectedConditions.urlContains(stack.app2Url() + "/signed-out"));
    FIXTURE.awaitStatus(stack.app2Url(), "Signed out");
    assertThat(browser.getPageSource()).doesNotContain("Signed in as");
    FIXTURE.screenshot("05-app2-signed-out-by-live-push");

    // 6. Open app2 again: the local session is gone and so is Keycloak's, so app2 asks for a
    //    password again.
    browser.get(stack.app2Url() + "/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password")));
    assertThat(browser.getCurrentUrl()).startsWith(stack.issuerUrl());
    FIXTURE.screenshot("06-app2-asks-to-sign-in-again");
  }
}
