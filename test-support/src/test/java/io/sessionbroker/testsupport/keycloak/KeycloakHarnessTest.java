package io.sessionbroker.testsupport.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the harness against a real Keycloak and pins down what Keycloak 26 sends a Session Broker:
 * back-channel logout tokens on user and admin logouts, legacy {@code k_logout} and {@code
 * k_push_not_before} actions on realm-wide admin actions. One server for the class (about 10-25 s
 * to start); each test signs in with its own browser and so has its own SSO session.
 */
class KeycloakHarnessTest {

  private static final String APP1_CALLBACK = "http://127.0.0.1/app1/callback";
  private static final String APP2_CALLBACK = "http://127.0.0.1/app2/callback";
  private static final String APP1_LOGGED_OUT = "http://127.0.0.1/app1/logged-out";
  private static final String BACKCHANNEL_LOGOUT = "/backchannel-logout";
  private static final String K_LOGOUT = "/keycloak/demo/k_logout";
  private static final String K_PUSH_NOT_BEFORE = "/keycloak/demo/k_push_not_before";
  private static final String BACKCHANNEL_EVENT =
      "http://schemas.openid.net/event/backchannel-logout";

  private static final String API_AUDIENCE = "session-broker";

  private static BrokerRecorder broker;
  private static KeycloakServer keycloak;

  @BeforeAll
  static void startKeycloak() throws IOException {
    broker = BrokerRecorder.start();
    keycloak =
        KeycloakServer.builder()
            .realm(KeycloakRealm.demo().brokerUrl(broker.url()).build())
            .start();
  }

  @AfterAll
  static void stopKeycloak() {
    if (keycloak != null) {
      keycloak.close();
      assertThat(keycloak.isRunning()).isFalse();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void forgetEarlierCalls() {
    broker.clear();
  }

  @Test
  void whenAliceSignsIntoTwoAppsWithOneBrowserThenBothShareTheSidAndOnlyTheFirstAsksPassword() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);

    OidcTokens app1 = signIntoApp1(browser);
    OidcTokens app2 = signIntoApp2(browser);

    assertThat(app1.passwordPrompted()).isTrue();
    assertThat(app2.passwordPrompted()).isFalse();
    assertThat(app1.sid()).isNotBlank().isEqualTo(app2.sid());
    assertThat(app1.subject()).isEqualTo(keycloak.userId(KeycloakRealm.DEMO, KeycloakRealm.ALICE));
    UnverifiedJwt idToken = app2.idTokenClaims();
    assertThat(idToken.claim("iss")).isEqualTo(keycloak.issuerUrl(KeycloakRealm.DEMO));
    assertThat(idToken.claim("aud")).isEqualTo(KeycloakRealm.APP2);
    assertThat(idToken.claim("typ")).isEqualTo("ID");
    // The access token names the SSO session too, so an app may register with either token.
    assertThat(UnverifiedJwt.parse(app2.accessToken()).claim("sid")).isEqualTo(app1.sid());
    assertThat(browser.cookieNames()).contains("KEYCLOAK_IDENTITY", "KEYCLOAK_SESSION");
    assertThat(keycloak.userSessions(KeycloakRealm.DEMO, KeycloakRealm.ALICE))
        .anySatisfy(session -> assertThat(session.path("id").asText()).isEqualTo(app1.sid()));
  }

  @Test
  void
      whenAnAppTakesItsServiceAccountTokenThenOnlyThatTokenCarriesClientIdAndBothTheBrokerAudience() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);

    UnverifiedJwt service =
        UnverifiedJwt.parse(
            browser.clientCredentialsToken(KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET));
    UnverifiedJwt user = UnverifiedJwt.parse(signIntoApp1(browser).accessToken());

    // What the broker's API rules rely on (CallerResolver): the client-credentials grant writes
    // client_id, a user's sign-in never does; the demo realm's audience mapper adds the API
    // audience to both.
    assertThat(service.claim("typ")).isEqualTo("Bearer");
    assertThat(service.claim("azp")).isEqualTo(KeycloakRealm.APP1);
    assertThat(service.claim("client_id")).isEqualTo(KeycloakRealm.APP1);
    assertThat(service.claim("preferred_username")).isEqualTo("service-account-app1");
    assertThat(audiences(service)).contains(API_AUDIENCE);
    assertThat(user.claim("typ")).isEqualTo("Bearer");
    assertThat(user.claim("azp")).isEqualTo(KeycloakRealm.APP1);
    assertThat(user.claims().has("client_id")).isFalse();
    assertThat(user.claims().has("clientId")).isFalse();
    assertThat(user.claim("preferred_username")).isEqualTo(KeycloakRealm.ALICE);
    assertThat(audiences(user)).contains(API_AUDIENCE);
  }

  private static List<String> audiences(UnverifiedJwt token) {
    JsonNode aud = token.claims().path("aud");
    if (aud.isTextual()) {
      return List.of(aud.asText());
    }
    List<String> all = new java.util.ArrayList<>();
    aud.forEach(value -> all.add(value.asText()));
    return all;
  }

  @Test
  void whenAnotherBrowserSignsInThenItGetsAnotherSid() {
    OidcTokens first = signIntoApp1(keycloak.browser(KeycloakRealm.DEMO));
    OidcTokens second = signIntoApp1(keycloak.browser(KeycloakRealm.DEMO));

    assertThat(second.passwordPrompted()).isTrue();
    assertThat(second.sid()).isNotEqualTo(first.sid());
  }

  @Test
  void whenThePasswordIsWrongThenLoginFailsWithKeycloaksMessage() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);

    assertThatThrownBy(
            () ->
                browser.login(
                    KeycloakRealm.APP1,
                    KeycloakRealm.APP1_SECRET,
                    APP1_CALLBACK,
                    KeycloakRealm.ALICE,
                    "wrong"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Invalid username or password")
        .hasMessageNotContaining("wrong");
  }

  @Test
  void whenAliceLogsOutOfApp1ThenEveryClientOfTheSessionGetsALogoutTokenBeforeTheLogoutReturns() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
    OidcTokens app1 = signIntoApp1(browser);
    signIntoApp2(browser);

    browser.logout(app1.idToken(), KeycloakRealm.APP1, APP1_LOGGED_OUT);

    // No waiting: Keycloak calls the back-channel URLs synchronously, inside the logout request,
    // the initiating client included.
    List<Recorded> calls = broker.calls(BACKCHANNEL_LOGOUT);
    assertThat(calls)
        .extracting(call -> call.logoutToken().claim("aud"))
        .containsExactlyInAnyOrder(KeycloakRealm.APP1, KeycloakRealm.APP2);
    for (Recorded call : calls) {
      assertThat(call.contentType()).isEqualTo("application/x-www-form-urlencoded");
      UnverifiedJwt token = call.logoutToken();
      assertThat(token.header().path("alg").asText()).isEqualTo("RS256");
      assertThat(token.header().path("typ").asText()).isEqualTo("logout+jwt");
      assertThat(token.header().path("kid").asText()).isNotBlank();
      assertThat(token.claim("iss")).isEqualTo(keycloak.issuerUrl(KeycloakRealm.DEMO));
      assertThat(token.claim("sid")).isEqualTo(app1.sid());
      assertThat(token.claim("sub")).isEqualTo(app1.subject());
      assertThat(token.claim("typ")).isEqualTo("Logout");
      assertThat(token.claims().path("events").path(BACKCHANNEL_EVENT).isObject()).isTrue();
      assertThat(token.claim("jti")).isNotBlank();
      assertThat(token.claims().path("exp").asLong() - token.claims().path("iat").asLong())
          .isEqualTo(120);
      assertThat(token.claims().has("nonce")).isFalse();
    }
    assertThat(browser.cookieNames()).doesNotContain("KEYCLOAK_IDENTITY", "KEYCLOAK_SESSION");
    assertThat(keycloak.userSessions(KeycloakRealm.DEMO, KeycloakRealm.ALICE))
        .noneMatch(session -> session.path("id").asText().equals(app1.sid()));
    assertThat(signIntoApp1(browser).passwordPrompted()).isTrue();
  }

  @Test
  void whenLogoutHasNoPostLogoutRedirectUriThenTheSessionEndsAllTheSame() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
    OidcTokens app1 = signIntoApp1(browser);

    browser.logout(app1.idToken(), KeycloakRealm.APP1);

    assertThat(broker.calls(BACKCHANNEL_LOGOUT))
        .extracting(call -> call.logoutToken().claim("sid"))
        .containsExactly(app1.sid());
  }

  @Test
  void whenLogoutHasNoIdTokenHintThenTheConfirmationIsSubmittedAndTheCookiesSessionEnds() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
    OidcTokens app1 = signIntoApp1(browser);

    browser.logout(null, KeycloakRealm.APP1, APP1_LOGGED_OUT);

    assertThat(broker.calls(BACKCHANNEL_LOGOUT))
        .extracting(call -> call.logoutToken().claim("sid"))
        .containsExactly(app1.sid());
  }

  @Test
  void whenAdminDeletesTheSessionThenEveryClientOfTheSessionGetsALogoutToken() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
    OidcTokens app1 = signIntoApp1(browser);
    signIntoApp2(browser);

    keycloak.deleteUserSession(KeycloakRealm.DEMO, app1.sid());

    List<Recorded> calls = broker.calls(BACKCHANNEL_LOGOUT);
    assertThat(calls)
        .extracting(call -> call.logoutToken().claim("aud"))
        .containsExactlyInAnyOrder(KeycloakRealm.APP1, KeycloakRealm.APP2);
    assertThat(calls).extracting(call -> call.logoutToken().claim("sid")).containsOnly(app1.sid());
    assertThat(broker.calls(K_LOGOUT)).isEmpty();
  }

  @Test
  void whenAdminLogsOutTheUserThenEachClientGetsOneLogoutTokenAndFurtherSessionsEndSilently() {
    // Bob, not Alice: the outcome depends on which of the user's sessions Keycloak takes first,
    // so no session left over from another test may take part.
    OidcTokens firstBrowser = signIn(keycloak.browser(KeycloakRealm.DEMO), KeycloakRealm.BOB);
    OidcTokens secondBrowser = signIn(keycloak.browser(KeycloakRealm.DEMO), KeycloakRealm.BOB);

    keycloak.logoutUser(KeycloakRealm.DEMO, KeycloakRealm.BOB);

    // Keycloak 26.5 records "client logged out" once per request, not per session: app1 hears of
    // one of Bob's two sessions only, and the other ends with no logout token at all.
    List<Recorded> calls = broker.calls(BACKCHANNEL_LOGOUT);
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).logoutToken().claim("aud")).isEqualTo(KeycloakRealm.APP1);
    assertThat(calls.get(0).logoutToken().claim("sid"))
        .isIn(firstBrowser.sid(), secondBrowser.sid());
    assertThat(broker.calls(K_LOGOUT)).isEmpty();
    assertThat(keycloak.userSessions(KeycloakRealm.DEMO, KeycloakRealm.BOB)).isEmpty();
  }

  @Test
  void whenRealmLogoutAllThenEveryAdminUrlGetsASignedKLogoutAndNoClientALogoutToken() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
    signIntoApp1(browser);
    long before = Instant.now().getEpochSecond();

    JsonNode result = keycloak.logoutAllSessions(KeycloakRealm.DEMO);

    // One call per client with an Admin URL, app2 and app3 included although they have no session.
    List<Recorded> calls = broker.calls(K_LOGOUT);
    assertThat(calls)
        .extracting(call -> UnverifiedJwt.parse(call.body()).claim("resource"))
        .containsExactlyInAnyOrder(KeycloakRealm.APP1, KeycloakRealm.APP2, KeycloakRealm.APP3);
    for (Recorded call : calls) {
      assertThat(call.contentType()).isEqualTo("text/plain; charset=ISO-8859-1");
      UnverifiedJwt action = UnverifiedJwt.parse(call.body());
      assertThat(action.header().path("alg").asText()).isEqualTo("RS256");
      assertThat(action.header().path("typ").asText()).isEqualTo("JWT");
      assertThat(action.claim("action")).isEqualTo("LOGOUT");
      assertThat(action.claims().path("notBefore").asLong()).isGreaterThanOrEqualTo(before);
      // The action is valid for 30 s from when it was signed.
      assertThat(action.claims().path("expiration").asLong() - before).isBetween(30L, 32L);
      assertThat(action.claim("id")).isNotBlank();
      assertThat(action.claims().has("adapterSessionIds")).isFalse();
    }
    assertThat(broker.calls(BACKCHANNEL_LOGOUT)).isEmpty();
    assertThat(result.path("successRequests")).hasSize(3);
    assertThat(result.path("successRequests").get(0).asText())
        .isEqualTo(broker.url() + "/keycloak/demo");
    assertThat(keycloak.userSessions(KeycloakRealm.DEMO, KeycloakRealm.ALICE)).isEmpty();
    assertThat(signIntoApp1(browser).passwordPrompted()).isTrue();
  }

  @Test
  void whenPushRevocationThenEveryAdminUrlGetsASignedKPushNotBeforeAndSessionsLive() {
    BrowserlessLogin browser = keycloak.browser(KeycloakRealm.DEMO);
    signIntoApp1(browser);
    long realmNotBefore =
        keycloak.adminGet("/admin/realms/" + KeycloakRealm.DEMO).path("notBefore").asLong();

    keycloak.pushRevocation(KeycloakRealm.DEMO);

    List<Recorded> calls = broker.calls(K_PUSH_NOT_BEFORE);
    assertThat(calls)
        .extracting(call -> UnverifiedJwt.parse(call.body()).claim("resource"))
        .containsExactlyInAnyOrder(KeycloakRealm.APP1, KeycloakRealm.APP2, KeycloakRealm.APP3);
    for (Recorded call : calls) {
      assertThat(call.contentType()).isEqualTo("text/plain; charset=ISO-8859-1");
      UnverifiedJwt action = UnverifiedJwt.parse(call.body());
      assertThat(action.claim("action")).isEqualTo("PUSH_NOT_BEFORE");
      // The push carries the realm's current not-before; it sets none of its own.
      assertThat(action.claims().path("notBefore").asLong()).isEqualTo(realmNotBefore);
    }
    assertThat(broker.calls(BACKCHANNEL_LOGOUT)).isEmpty();
    assertThat(signIntoApp2(browser).passwordPrompted()).isFalse();
  }

  @Test
  void whenServiceAccountsAskForTokensThenTheyCarryTheirRoles() {
    BrowserlessLogin client = keycloak.browser(KeycloakRealm.DEMO);

    UnverifiedJwt admin =
        UnverifiedJwt.parse(
            client.clientCredentialsToken(
                KeycloakRealm.BROKER_ADMIN, KeycloakRealm.BROKER_ADMIN_SECRET));
    UnverifiedJwt reconciler =
        UnverifiedJwt.parse(
            client.clientCredentialsToken(
                KeycloakRealm.SESSION_BROKER, KeycloakRealm.SESSION_BROKER_SECRET));
    UnverifiedJwt app1 =
        UnverifiedJwt.parse(
            client.clientCredentialsToken(KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET));

    assertThat(admin.claim("azp")).isEqualTo(KeycloakRealm.BROKER_ADMIN);
    assertThat(admin.claims().path("realm_access").path("roles").toString())
        .contains(KeycloakRealm.ADMIN_ROLE);
    assertThat(reconciler.claims().path("resource_access").path("realm-management").toString())
        .contains("view-users", "query-users", "view-realm", "view-clients");
    assertThat(app1.claim("azp")).isEqualTo(KeycloakRealm.APP1);
    assertThat(app1.claims().path("realm_access").path("roles").toString())
        .doesNotContain(KeycloakRealm.ADMIN_ROLE);
  }

  private static OidcTokens signIntoApp1(BrowserlessLogin browser) {
    return signIn(browser, KeycloakRealm.ALICE);
  }

  private static OidcTokens signIn(BrowserlessLogin browser, String user) {
    // The demo realm's test passwords equal the user names.
    return browser.login(KeycloakRealm.APP1, KeycloakRealm.APP1_SECRET, APP1_CALLBACK, user, user);
  }

  private static OidcTokens signIntoApp2(BrowserlessLogin browser) {
    return browser.login(
        KeycloakRealm.APP2,
        KeycloakRealm.APP2_SECRET,
        APP2_CALLBACK,
        KeycloakRealm.ALICE,
        KeycloakRealm.ALICE_PASSWORD);
  }

  /** One POST the stand-in broker received. */
  record Recorded(String path, String contentType, String body) {

    UnverifiedJwt logoutToken() {
      for (String pair : body.split("&")) {
        if (pair.startsWith("logout_token=")) {
          return UnverifiedJwt.parse(
              URLDecoder.decode(pair.substring("logout_token=".length()), StandardCharsets.UTF_8));
        }
      }
      throw new AssertionError("No logout_token field in the form body");
    }

    /** Never the body: it holds a signed token. */
    @Override
    public String toString() {
      return "Recorded{" + path + ", " + contentType + "}";
    }
  }

  /** Stands in for the Session Broker: answers 200 to every request and remembers it. */
  static final class BrokerRecorder implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Recorded> calls = new CopyOnWriteArrayList<>();

    private BrokerRecorder(HttpServer server, ExecutorService executor) {
      this.server = server;
      this.executor = executor;
    }

    static BrokerRecorder start() throws IOException {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      ExecutorService executor = Executors.newFixedThreadPool(4);
      BrokerRecorder recorder = new BrokerRecorder(server, executor);
      server.createContext("/", recorder::handle);
      server.setExecutor(executor);
      server.start();
      return recorder;
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        calls.add(
            new Recorded(
                exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("Content-Type"),
                body));
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, -1);
      }
    }

    List<Recorded> calls(String path) {
      return calls.stream().filter(call -> call.path().equals(path)).collect(Collectors.toList());
    }

    void clear() {
      calls.clear();
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
