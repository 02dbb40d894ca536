package io.sessionbroker.broker.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.testsupport.keycloak.BrowserlessLogin;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import io.sessionbroker.testsupport.keycloak.KeycloakServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator page's revoke form with a {@code sub} that begins with a space. SubjectRule admits
 * such a user id (a user-storage provider's external id is its own choice), so it names a user of
 * its own: revoking it must not revoke the user whose id is the same without the space.
 */
@QuarkusTest
@WithTestResource(KeycloakTestResources.class)
class OperatorPageSubWithSpacesTest {

  private static final String BINARY = System.getProperty("chromium.binary", "/usr/bin/chromium");
  private static final String DRIVER =
      System.getProperty("chromedriver.path", "/usr/bin/chromedriver");

  @InjectKeycloak KeycloakServer keycloak;

  private ChromeDriver browser;

  @BeforeEach
  void startChromium() throws IOException {
    Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--user-data-dir="
            + Files.createTempDirectory(Path.of("target"), "chromium-").toAbsolutePath());
    browser = new ChromeDriver(service, options);
  }

  @AfterEach
  void stopChromium() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void revokingASubWithALeadingSpaceLeavesTheUserWithoutItAlone() {
    String victim = "f:ldap:victim-" + UUID.randomUUID();
    String sessionId = "app1-" + UUID.randomUUID();
    BrowserlessLogin app = keycloak.browser(KeycloakRealm.DEMO);
    String app1Token = app.clientCredentialsToken(KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET);
    given()
        .auth()
        .oauth2(app1Token)
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", sessionId, "sid", "sid-" + UUID.randomUUID(), "sub", victim))
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
    browser.get(pageUrl());
    signInAtKeycloak(KeycloakRealm.OPERATOR, KeycloakRealm.OPERATOR_PASSWORD);
    waitUntil(() -> browser.getPageSource().contains("Live revocation feed"));

    // The page's own form, posted from the page (same Origin), for the user " <victim>".
    Object status =
        browser.executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + "fetch('/operator/demo/revocations', {method: 'POST',"
                + " body: new URLSearchParams({sub: ' ' + arguments[0]})})"
                + ".then(r => done(r.status), e => done(String(e)));",
            victim);
    assertThat(status).isEqualTo(200L);

    String victimStatus =
        given()
            .auth()
            .oauth2(app1Token)
            .get("/api/v1/sessions/" + sessionId)
            .then()
            .statusCode(200)
            .extract()
            .path("status");
    assertThat(victimStatus).isEqualTo("active");
  }

  private void signInAtKeycloak(String username, String password) {
    waitUntil(() -> !browser.findElements(By.id("username")).isEmpty());
    browser.findElement(By.id("username")).sendKeys(username);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.id("kc-login")).click();
  }

  private void waitUntil(java.util.function.BooleanSupplier condition) {
    new WebDriverWait(browser, Duration.ofSeconds(20)).until(driver -> condition.getAsBoolean());
  }

  /** On 127.0.0.1, the host the realm's redirect URIs name. */
  private static String pageUrl() {
    int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    return "http://127.0.0.1:" + port + "/operator/demo";
  }
}
