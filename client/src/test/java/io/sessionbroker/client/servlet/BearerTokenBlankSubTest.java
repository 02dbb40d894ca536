package io.sessionbroker.client.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sessionbroker.client.FakeBroker;
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
 * The broker accepts any {@code sub} of its SubjectRule, white space only included, and publishes
 * {@code user.revoked} for it. The resource-server filter, fed the verified token's claim map (as
 * Spring Security or MicroProfile JWT give it), must refuse that user's earlier tokens.
 */
class BearerTokenBlankSubTest {

  private static final String CLAIMS_ATTRIBUTE = "test.verified-claim-map";
  private static final Map<String, Map<String, Object>> VERIFIED = new ConcurrentHashMap<>();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static ClientOnJetty app;
  private static URI api;

  private static final class ClaimMapVerifier extends HttpServlet implements Filter {
    @Override
    public void doFilter(
        jakarta.servlet.ServletRequest request,
        jakarta.servlet.ServletResponse response,
        jakarta.servlet.FilterChain chain)
        throws IOException, jakarta.servlet.ServletException {
      String header = ((HttpServletRequest) request).getHeader("Authorization");
      if (header != null && header.startsWith("Bearer ")) {
        Map<String, Object> claims = VERIFIED.get(header.substring(7));
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
                  new FilterHolder(new ClaimMapVerifier()),
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
    api = URI.create(app.base() + "/api/hello");
  }

  @AfterAll
  static void stop() throws Exception {
    app.stop();
  }

  @Test
  void whenAUserWhoseSubIsWhiteSpaceIsRevokedThenTheirEarlierTokensAreRefused() throws Exception {
    String sub = "\u2003";
    Instant revokedAt = Instant.now();
    VERIFIED.put(
        "blank-before",
        Map.of(
            "azp",
            "app1",
            "sid",
            "sid-b1",
            "sub",
            sub,
            "iat",
            revokedAt.minusSeconds(60).getEpochSecond()));
    // Another user with a usual sub, revoked after it: once refused, the first event arrived too.
    VERIFIED.put(
        "witness-before",
        Map.of(
            "azp",
            "app1",
            "sid",
            "sid-w1",
            "sub",
            "witness",
            "iat",
            revokedAt.minusSeconds(60).getEpochSecond()));
    assertThat(call("blank-before").statusCode()).isEqualTo(200);

    app.broker().revoke(FakeBroker.userRevoked(sub).put("at", revokedAt.toString()));
    app.broker().revoke(FakeBroker.userRevoked("witness").put("at", revokedAt.toString()));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(call("witness-before").statusCode()).isEqualTo(401));
    assertThat(app.client().isRevoked(null, sub, revokedAt.minusSeconds(60))).isTrue();
    assertThat(call("blank-before").statusCode()).isEqualTo(401);
  }

  private static HttpResponse<String> call(String token) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(api).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
