package io.sessionbroker.examples.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue 14's must-show for an admin revocation, in headless Chromium against the local stack: alice
 * is signed in to app1 and, by SSO, to app2 in a second tab; an operator, in a browser of their
 * own, revokes her SSO session with the operator page's Revoke button; the page's feed shows the
 * event, and alice's app2 tab (never reloaded) shows "An administrator revoked this session" within
 * one second. Screenshots in {@code target/screenshots/}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AdminRevocationLivePushIT {

  private static final Duration PUSH_BOUND = Duration.ofSeconds(30);

  @RegisterExtension
  static final StackWithBrowser FIXTURE =
      new StackWithBrowser(
          () -> StackSettings.onFreePorts(Path.of("target/admin-revocation-stack")),
          Duration.ofSeconds(60));

  @Test
  void whenAnOperatorRevokesTheSessionThenTheOpenApp2TabShowsIt() throws Exception {
    LocalStack stack = FIXTURE.stack();
    ChromeDriver alice = FIXTURE.browser();
    // 1. alice in app1, then app2 in a second tab (SSO), whose page opens the event stream.
    FIXTURE.signInToApp1AsAlice();
    alice.switchTo().newWindow(WindowType.TAB);
    alice.get(stack.app2Url() + "/");
    FIXTURE.awaitStatus(stack.app2Url(), "Signed in as alice");
    FIXTURE
        .pageWait()
        .until(
            ExpectedConditions.attributeToBe(
                By.tagName("html"), "data-session-broker", "connected"));
    alice.executeScript("window.loadedOnce = 'still the same page';");
    String sid = aliceSid();

    // 2. The operator signs in to the operator page in a browser of their own.
    Path profile = Files.createTempDirectory(Path.of("target"), "chromium-operator-");
    ChromeDriver operator = HeadlessChromium.start(profile);
    try {
      WebDriverWait operatorWait = new WebDriverWait(operator, Duration.ofSeconds(60));
      operator.get(stack.brokerUrl() + "/operator/demo");
      operatorWait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
      operator.findElement(By.id("username")).sendKeys(KeycloakRealm.OPERATOR);
      operator.findElement(By.id("password")).sendKeys(KeycloakRealm.OPERATOR_PASSWORD);
      operator.findElement(By.id("kc-login")).click();
      operatorWait.until(ExpectedConditions.visibilityOfElementLocated(By.id("revoke")));

      // 3. Revoke alice's SSO session with the page's button.
      WebElement sidField = operator.findElement(By.cssSelector("#revoke input[name=sid]"));
      sidField.clear();
      sidField.sendKeys(sid);
      operator.findElement(By.cssSelector("#revoke button[type=submit]")).click();

      // 4. alice's app2 tab, untouched, says why without a reload.
      new WebDriverWait(alice, PUSH_BOUND)
          .until(ExpectedConditions.visibilityOfElementLocated(By.id("session-broker-notice")));
      FIXTURE.screenshot("admin-revocation-01-app2-notice");
      assertThat(alice.findElement(By.id("session-broker-notice")).getText())
          .startsWith("Signed out.")
          .contains("An administrator revoked this session");
      assertThat(alice.executeScript("return window.loadedOnce;")).isEqualTo("still the same page");

      // 5. The operator page answers with the outcome and shows the events in its feed.
      operatorWait.until(ExpectedConditions.visibilityOfElementLocated(By.id("revoked")));
      assertThat(operator.findElement(By.id("revoked")).getText())
          .contains("Keycloak session: ended");
      operatorWait.until(
          ExpectedConditions.textToBePresentInElementLocated(By.id("feed"), "admin"));
      HeadlessChromium.screenshot(
          operator, Path.of("target/screenshots/admin-revocation-02-operator-page.png"));
      assertThat(FIXTURE.registrationStatuses(sid))
          .isNotEmpty()
          .allMatch(s -> s.endsWith("=revoked"));
    } finally {
      operator.quit();
    }
  }

  /** alice's SSO session id, as app1 registered it with the broker. */
  private static String aliceSid() throws Exception {
    List<String> sids = FIXTURE.registeredSids(KeycloakRealm.APP1);
    assertThat(sids).as("app1's registered SSO sessions").hasSize(1);
    return sids.get(0);
  }
}
