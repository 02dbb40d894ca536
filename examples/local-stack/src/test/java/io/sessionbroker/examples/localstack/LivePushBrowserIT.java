package io.sessionbroker.examples.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue 14's must-show for live push, in headless Chromium against the local stack: alice is signed
 * in to app1 and, by SSO, to app2 in a second tab; she signs out in app1, and the app2 tab (never
 * reloaded) shows "Signed out" with why, when and the push delay, told by the client library's
 * server-sent events. Screenshots in {@code target/screenshots/}.
 *
 * <p>Ports: free ones, unless a {@code LOCAL_STACK_*_PORT} variable is set; then the stack runs on
 * the configured ports ({@link StackSettings#fromEnvironment}), files under {@code
 * target/live-push-stack} unless {@code LOCAL_STACK_DIR} says otherwise.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LivePushBrowserIT {

  private static final Duration PUSH_BOUND = Duration.ofSeconds(30);

  @RegisterExtension
  static final StackWithBrowser FIXTURE =
      new StackWithBrowser(LivePushBrowserIT::settings, Duration.ofSeconds(60));

  private static StackSettings settings() {
    Map<String, String> env = System.getenv();
    boolean portsConfigured =
        env.keySet().stream().anyMatch(name -> name.matches("LOCAL_STACK_[A-Z0-9]+_PORT"));
    if (!portsConfigured) {
      return StackSettings.onFreePorts(Path.of("target/live-push-stack"));
    }
    Map<String, String> withDir = new HashMap<>(env);
    withDir.putIfAbsent("LOCAL_STACK_DIR", Path.of("target/live-push-stack").toString());
    return StackSettings.fromEnvironment(withDir);
  }

  @Test
  void whenUserSignsOutOfApp1ThenTheOpenApp2TabShowsWhyWithoutAReload() {
    LocalStack stack = FIXTURE.stack();
    ChromeDriver browser = FIXTURE.browser();
    WebDriverWait wait = FIXTURE.pageWait();
    // 1. alice signs in to app1 at Keycloak.
    FIXTURE.signInToApp1AsAlice();
    awaitLivePush();
    String app1Tab = browser.getWindowHandle();

    // 2. app2 in a second tab, signed in by SSO; its page opens the event stream.
    browser.switchTo().newWindow(WindowType.TAB);
    String app2Tab = browser.getWindowHandle();
    browser.get(stack.app2Url() + "/");
    FIXTURE.awaitStatus(stack.app2Url(), "Signed in as alice");
    awaitLivePush();
    // A reload would drop this marker: it proves the notice comes without one.
    browser.executeScript("window.loadedOnce = 'still the same page';");
    FIXTURE.screenshot("live-push-01-app2-signed-in");

    // 3. Sign out in app1: Keycloak's back-channel logout reaches the broker, which publishes.
    browser.switchTo().window(app1Tab);
    browser.findElement(By.id("sign-out")).click();
    FIXTURE.awaitStatus(stack.app1Url(), "Signed out");

    // 4. The app2 tab, untouched, shows the notice.
    browser.switchTo().window(app2Tab);
    new WebDriverWait(browser, PUSH_BOUND)
        .until(ExpectedConditions.visibilityOfElementLocated(By.id("session-broker-notice")));
    FIXTURE.screenshot("live-push-02-app2-notice");
    String notice = browser.findElement(By.id("session-broker-notice")).getText();
    assertThat(notice)
        .startsWith("Signed out.")
        .contains("back-channel logout")
        .containsPattern("At \\d\\d:\\d\\d:\\d\\d UTC, pushed \\d+ ms after the broker");
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Signed out");
    assertThat(browser.executeScript("return window.loadedOnce;")).isEqualTo("still the same page");
    assertThat(browser.getCurrentUrl()).isEqualTo(stack.app2Url() + "/");

    // 5. Then the tab moves to app2's signed-out page, which keeps the words.
    wait.until(ExpectedConditions.urlContains(stack.app2Url() + "/signed-out"));
    FIXTURE.awaitStatus(stack.app2Url(), "Signed out");
    assertThat(browser.findElement(By.tagName("main")).getText())
        .contains("back-channel logout")
        .containsPattern("At \\d\\d:\\d\\d:\\d\\d UTC");
    FIXTURE.screenshot("live-push-03-app2-signed-out-page");
  }

  /** Waits until the page script's event stream is open. */
  private static void awaitLivePush() {
    FIXTURE
        .pageWait()
        .until(
            ExpectedConditions.attributeToBe(
                By.tagName("html"), "data-session-broker", "connected"));
  }
}
