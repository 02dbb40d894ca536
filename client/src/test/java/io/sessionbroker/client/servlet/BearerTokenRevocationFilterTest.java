package io.sessionbroker.client.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sessionbroker.client.FakeBroker;
import io.sessionbroker.client.SessionBrokerClient;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The resource-server filter in a real Jetty in front of a small API, with a real client library on
 * a real Redis; the test acts as the broker (XADD then PUBLISH, as SPEC §3.3 says) and as the app's
 * token verifier (an introspection table: token -> verified claims, either as {@link
 * VerifiedTokenClaims} or as the verified token's claim map, as Spring Security or MicroProfile JWT
 * give it).
 */
class BearerTokenRevocationFilterTest {

  private static final String CLAIMS_ATTRIBUTE = "test.verified-claims";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static ClientOnJetty app;
  private static SessionBrokerClient app1;
  private static FakeBroker broker;
  private static URI api;
  private static final Map<String, Object> VERIFIED = new ConcurrentHashMap<>();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The app's own verifier: known tokens get their claims, anything else none. */
  private static final class IntrospectingVerifier extends HttpServlet implements Filter {
    @Override
    public void doFilter(
        jakarta.servlet.ServletRequest request,
        jakarta.servlet.ServletResponse response,
        jakarta.servlet.FilterChain chain)
        throws IOException, jakarta.servlet.ServletException {
      String header = ((HttpServletRequest) request).getHeader("Authorization");
      if (header != null && header.startsWith("Bearer ")) {
        Object claims = VERIFIED.get(header.substring(7));
        if (claims != null) {
          request.setAttribute(CLAIMS_ATTRIBUTE, claims);
        }
      }
      chain.doFilter(request, response);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    app =
        ClientOnJetty.start(
            client -> {
              ServletContextHandler context = new ServletContextHandler();
              context.addFilter(
                  new FilterHolder(new IntrospectingVerifier()),
                  "/*",
                  EnumSet.of(DispatcherType.REQUEST));
              context.addFilter(
                  new FilterHolder(
                      BearerTokenRevocationFilter.builder()
                          .client("app1", client)
                          .claimsSource(VerifiedClaimsSource.requestAttribute(CLAIMS_ATTRIBUTE))
                          .build()),
                  "/api/*",
                  EnumSet.of(DispatcherType.REQUEST));
              context.addServlet(
                  new ServletHolder(
                      new HttpServlet() {
                        @Override
                        protected void doGet(
                            HttpServletRequest request, HttpServletResponse response)
                            throws IOException {
                          response.getWriter().write("hello");
                        }
                      }),
                  "/api/hello");
              return context;
            });
    app1 = app.client();
    broker = app.broker();
    api = URI.create(app.base() + "/api/hello");
  }

  @AfterAll
  static void stop() throws Exception {
    app.stop();
  }

  private static HttpResponse<String> call(String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(api);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String token(String name, String sid, String sub, String azp, Instant iat) {
    VERIFIED.put(name, new VerifiedTokenClaims(azp, sid, sub, iat));
    return name;
  }

  /** A token whose verified claims the app hands over as the token's claim map. */
  private static String claimMapToken(String name, String sid, String sub, Instant iat) {
    VERIFIED.put(name, Map.of("azp", "app1", "sid", sid, "sub", sub, "iat", iat.getEpochSecond()));
    return name;
  }

  @Test
  void whenSessionIsRevokedThenItsUnexpiredTokenIsRefusedAndOtherUsersTokensStillPass()
      throws Exception {
    Instant issued = Instant.now().minusSeconds(30);
    String alice = token("alice-token", "sid-alice", "alice", "app1", issued);
    String bob = token("bob-token", "sid-bob", "bob", "app1", issued);
    assertThat(call(alice).statusCode()).isEqualTo(200);

    broker.revoke(FakeBroker.sessionRevoked("sid-alice"));

    await().atMost(WAIT).untilAsserted(() -> assertThat(call(alice).statusCode()).isEqualTo(401));
    HttpResponse<String> refused = call(alice);
    assertThat(refused.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(
            value -> assertThat(value).startsWith("Bearer error=\"invalid_token\""));
    assertThat(call(bob).statusCode()).isEqualTo(200);
    assertThat(call(bob).body()).isEqualTo("hello");
  }

  @Test
  void whenRequestHasNoTokenThenItIsRefusedWithABareBearerChallenge() throws Exception {
    HttpResponse<String> response = call(null);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
  }

  @Test
  void whenTokenWasNotVerifiedByTheAppThenItIsRefused() throws Exception {
    HttpResponse<String> response = call("forged-or-unverified");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("invalid_token")
        .contains("not verified");
  }

  @Test
  void whenUserIsRevokedThenTokensIssuedBeforeAreRefusedAndTokensIssuedLaterPass()
      throws Exception {
    Instant revokedAt = Instant.now();
    String before = token("carol-before", "sid-c1", "carol", "app1", revokedAt.minusSeconds(60));
    String after = token("carol-after", "sid-c2", "carol", "app1", revokedAt.plusSeconds(60));

    broker.revoke(FakeBroker.userRevoked("carol").put("at", revokedAt.toString()));

    await().atMost(WAIT).untilAsserted(() -> assertThat(call(before).statusCode()).isEqualTo(401));
    assertThat(call(after).statusCode()).isEqualTo(200);
  }

  /**
   * The broker accepts any {@code sub} of its SubjectRule, white space only included, and publishes
   * {@code user.revoked} for it: the filter, fed the claim map, must refuse that user's earlier
   * tokens.
   */
  @Test
  void whenAUserWhoseSubIsWhiteSpaceIsRevokedThenTheirEarlierTokensAreRefused() throws Exception {
    String sub = "\u2003";
    Instant revokedAt = Instant.now();
    String blankBefore = claimMapToken("blank-before", "sid-b1", sub, revokedAt.minusSeconds(60));
    // Another user with a usual sub, revoked after it: once refused, the first event arrived too.
    String witnessBefore =
        claimMapToken("witness-before", "sid-w1", "witness", revokedAt.minusSeconds(60));
    assertThat(call(blankBefore).statusCode()).isEqualTo(200);

    broker.revoke(FakeBroker.userRevoked(sub).put("at", revokedAt.toString()));
    broker.revoke(FakeBroker.userRevoked("witness").put("at", revokedAt.toString()));

    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(call(witnessBefore).statusCode()).isEqualTo(401));
    assertThat(app1.isRevoked(null, sub, revokedAt.minusSeconds(60))).isTrue();
    assertThat(call(blankBefore).statusCode()).isEqualTo(401);
  }

  @Test
  void whenTokenIsOfAClientTheApiDoesNotWatchThenItIsRefused() throws Exception {
    String other = token("other-client", "sid-o", "olga", "app9", Instant.now());

    assertThat(call(other).statusCode()).isEqualTo(401);
  }

  @Test
  void whenBuiltWithoutClaimsSourceThenBuildFails() {
    assertThatThrownBy(() -> BearerTokenRevocationFilter.builder().client("app1", app1).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("claimsSource");
  }
}
