package io.sessionbroker.broker.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.testsupport.keycloak.BrowserlessLogin;
import io.sessionbroker.testsupport.keycloak.KeycloakRealm;
import io.sessionbroker.testsupport.keycloak.KeycloakServer;
import io.sessionbroker.testsupport.keycloak.OidcTokens;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator page {@code /operator/demo} against a real Keycloak, in headless Chromium: sign-in
 * through Keycloak, admin role required, and an admin revocation of a real SSO session appearing in
 * the live feed without a reload ({@code target/operator-page-live.png}), then found by the sid
 * search; a revocation with the page's own button ({@code target/operator-page.png}; the README's
 * {@code docs/images/operator-page.png} is a copy of one run's); and the revoke form with a {@code
 * sub} that begins with a space.
 */
@QuarkusTest
@WithTestResource(KeycloakTestResources.class)
class OperatorPageTest {

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
        "--window-size=1400,1100",
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
  void whenNotSignedInThenThePageRedirectsToKeycloakWithTheOperatorClient() {
    String location =
        given()
            .redirects()
            .follow(false)
            .get(pageUrl())
            .then()
            .statusCode(302)
            .extract()
            .header("Location");

    assertThat(location)
        .startsWith(keycloak.issuerUrl(KeycloakRealm.DEMO) + "/protocol/openid-connect/auth")
        .contains("client_id=" + KeycloakRealm.OPERATOR_CLIENT);
  }

  @Test
  void whenAUserWithoutTheAdminRoleSignsInThenForbidden() {
    browser.get(pageUrl());
    signInAtKeycloak(KeycloakRealm.ALICE, KeycloakRealm.ALICE_PASSWORD);

    waitUntil(() -> browser.getCurrentUrl().startsWith(pageUrl()));
    // Back at the broker, signed in, and refused: Quarkus answers 403 with no page.
    assertThat(browser.getPageSource()).doesNotContain("Live revocation feed");
  }

  @Test
  void whenAnAdminRevokesASessionThenItAppearsInTheLiveFeedAndTheSearch() throws IOException {
    browser.get(pageUrl());
    signInAtKeycloak(KeycloakRealm.OPERATOR, KeycloakRealm.OPERATOR_PASSWORD);
    waitUntil(() -> browser.getPageSource().contains("Live revocation feed"));
    assertThat(browser.findElement(By.tagName("header")).getText())
        .contains("issuer demo")
        .contains("Signed in as " + KeycloakRealm.OPERATOR);
    assertThat(browser.getPageSource()).contains("Diagnostics").contains("reachable, keys loaded");
    waitUntil(() -> browser.findElement(By.id("feed-state")).getText().equals("live"));

    // Alice signs in to app1 (a real Keycloak SSO session), app1 registers it, an admin revokes it.
    BrowserlessLogin alice = keycloak.browser(KeycloakRealm.DEMO);
    OidcTokens tokens =
        alice.login(
            KeycloakRealm.APP1,
            KeycloakRealm.APP1_SECRET,
            KeycloakTestResources.APP1_URL + "/callback",
            KeycloakRealm.ALICE,
            KeycloakRealm.ALICE_PASSWORD);
    given()
        .auth()
        .oauth2(alice.clientCredentialsToken(KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", "app1-" + UUID.randomUUID(), "idToken", tokens.idToken()))
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
    String keycloakSession =
        given()
            .auth()
            .oauth2(
                alice.clientCredentialsToken(
                    KeycloakRealm.BROKER_ADMIN, KeycloakRealm.BROKER_ADMIN_SECRET))
            .contentType(ContentType.JSON)
            .body(Map.of("sid", tokens.sid()))
            .post("/api/v1/revocations")
            .then()
            .statusCode(200)
            .extract()
            .path("keycloakSession");
    assertThat(keycloakSession).isEqualTo("ended");

    // No reload: the row arrives over the page's server-sent events.
    waitUntil(() -> feedText().contains(tokens.sid()));
    assertThat(feedText()).contains("admin").contains("session.revoked").contains("app1");
    screenshot(Path.of("target/operator-page-live.png"));

    browser.get(pageUrl() + "?sid=" + tokens.sid());
    waitUntil(() -> browser.getPageSource().contains("Search registered sessions"));
    assertThat(browser.findElement(By.id("sessions")).getText()).contains(tokens.sid());
    assertThat(statusCell()).isEqualTo("revoked");
  }

  @Test
  void whenAnAdminRevokesWithThePagesButtonThenKeycloaksSessionEndsAndTheEventIsInTheFeed()
      throws IOException {
    BrowserlessLogin bob = keycloak.browser(KeycloakRealm.DEMO);
    OidcTokens tokens =
        bob.login(
            KeycloakRealm.APP1,
            KeycloakRealm.APP1_SECRET,
            KeycloakTestResources.APP1_URL + "/callback",
            KeycloakRealm.BOB,
            KeycloakRealm.BOB_PASSWORD);
    given()
        .auth()
        .oauth2(bob.clientCredentialsToken(KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", "app1-" + UUID.randomUUID(), "idToken", tokens.idToken()))
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
    browser.get(pageUrl() + "?sid=" + tokens.sid());
    signInAtKeycloak(KeycloakRealm.OPERATOR, KeycloakRealm.OPERATOR_PASSWORD);
    waitUntil(() -> !browser.findElements(By.id("sessions")).isEmpty());
    assertThat(statusCell()).isEqualTo("active");

    browser.findElement(By.cssSelector("#revoke button")).click();

    waitUntil(() -> !browser.findElements(By.id("revoked")).isEmpty());
    assertThat(browser.findElement(By.id("revoked")).getText()).contains("Keycloak session: ended");
    assertThat(feedText()).contains(tokens.sid()).contains("admin");
    assertThat(statusCell()).isEqualTo("revoked");
    assertThat(keycloak.userSessions(KeycloakRealm.DEMO, KeycloakRealm.BOB).size()).isZero();
    screenshot(Path.of("target/operator-page.png"));
  }

  /**
   * SubjectRule admits a {@code sub} that begins with a space (a user-storage provider's external
   * id is its own choice), so it names a user of its own: revoking it with the page's form must not
   * revoke the user whose id is the same without the space.
   */
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

  /** The status cell of the one session the sid search found. */
  private String statusCell() {
    return browser.findElement(By.cssSelector("#sessions td.status")).getText();
  }

  private String feedText() {
    return browser.findElement(By.id("feed")).getText();
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

  private Path screenshot(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    return file;
  }

  /** On 127.0.0.1, the host the realm's redirect URIs name. */
  private static String pageUrl() {
    int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    return "http://127.0.0.1:" + port + "/operator/demo";
  }
}
