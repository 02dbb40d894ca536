package io.sessionbroker.client.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sessionbroker.client.FakeBroker;
import io.sessionbroker.client.SessionBrokerClient;
import io.sessionbroker.client.push.SessionEventsHub;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live push end to end but for the browser: real Jetty, real client library, real Redis; the test
 * acts as the broker (XADD then PUBLISH) and as the tabs (HTTP clients reading the event stream).
 */
class SessionEventsServletTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static ClientOnJetty app;
  private static SessionBrokerClient client;
  private static SessionEventsHub hub;
  private static FakeBroker broker;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    app =
        ClientOnJetty.start(
            started -> {
              ServletContextHandler context =
                  new ServletContextHandler(ServletContextHandler.SESSIONS);
              context.addServletContainerInitializer(
                  (classes, servletContext) -> {
                    SessionBrokerServlet.install(servletContext, started);
                    hub = SessionBrokerServlet.installSessionEvents(servletContext, started);
                  });
              context.addServlet(
                  new ServletHolder(
                      new HttpServlet() {
                        @Override
                        protected void doGet(
                            HttpServletRequest request, HttpServletResponse response) {
                          SessionAttributes.signedIn(
                              request.getSession(true),
                              request.getParameter("sid"),
                              request.getParameter("sub"),
                              Instant.now());
                        }
                      }),
                  "/sign-in");
              return context;
            });
    client = app.client();
    broker = app.broker();
    base = app.base().toString();
  }

  @AfterAll
  static void stop() throws Exception {
    app.stop(hub);
  }

  /** A browser: its own cookie jar. */
  private static HttpClient browser(String sid, String sub) throws Exception {
    HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    if (sid != null) {
      HttpResponse<Void> signIn =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/sign-in?sid=" + sid + "&sub=" + sub))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(signIn.statusCode()).isEqualTo(200);
    }
    return http;
  }

  /** One tab's event stream, read on a background thread. */
  private static final class Tab {
    final List<String> lines = new CopyOnWriteArrayList<>();
    volatile boolean ended;
    volatile int status;
    volatile String contentType;

    Tab(HttpClient http) throws Exception {
      HttpResponse<InputStream> response =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/session-broker/events"))
                  .header("Accept", "text/event-stream")
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      status = response.statusCode();
      contentType = response.headers().firstValue("Content-Type").orElse("");
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                  for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  // the stream was cut
                } finally {
                  ended = true;
                }
              });
      reader.setDaemon(true);
      reader.start();
    }
  }

  @Test
  void whenSessionIsRevokedThenEveryOpenTabOfItIsToldAtOnceAndOtherSessionsAreNot()
      throws Exception {
    HttpClient alice = browser("sid-alice", "alice");
    HttpClient bob = browser("sid-bob", "bob");
    Tab first = new Tab(alice);
    Tab second = new Tab(alice);
    Tab bobs = new Tab(bob);
    assertThat(first.status).isEqualTo(200);
    assertThat(first.contentType).startsWith("text/event-stream");
    await().atMost(WAIT).until(() -> hub.openStreams() >= 3);

    broker.revoke(FakeBroker.sessionRevoked("sid-alice").put("reason", "admin"));

    await().atMost(WAIT).until(() -> first.ended && second.ended);
    for (Tab tab : List.of(first, second)) {
      assertThat(tab.lines).contains("event: revoked");
      assertThat(tab.lines)
          .anySatisfy(
              line ->
                  assertThat(line)
                      .startsWith("data: {")
                      .contains("\"type\":\"session.revoked\"")
                      .contains("\"reason\":\"admin\"")
                      .contains("\"delayMillis\":"));
    }
    assertThat(bobs.ended).isFalse();
    assertThat(bobs.lines).doesNotContain("event: revoked");
    assertThat(hub.openStreams()).isEqualTo(1);
  }

  @Test
  void whenTabConnectsWithoutASignedInSessionThenItIsToldSignedOut() throws Exception {
    Tab tab = new Tab(browser(null, null));

    await().atMost(WAIT).until(() -> tab.ended);
    assertThat(tab.lines).contains("event: signed-out", "data: {}");
  }

  @Test
  void whenTabConnectsAfterItsSessionWasRevokedThenItIsToldSignedOut() throws Exception {
    HttpClient carol = browser("sid-carol", "carol");
    broker.revoke(FakeBroker.sessionRevoked("sid-carol"));
    await().atMost(WAIT).until(() -> client.isRevoked("sid-carol"));

    Tab tab = new Tab(carol);

    await().atMost(WAIT).until(() -> tab.ended);
    assertThat(tab.lines).contains("event: signed-out");
  }

  @Test
  void whenASessionHasTheMostStreamsOpenThenAnotherTabIsRefusedWith429() throws Exception {
    HttpClient dave = browser("sid-dave", "dave");
    List<Tab> open = new java.util.ArrayList<>();
    for (int i = 0; i < SessionEventsHub.DEFAULT_MAX_STREAMS_PER_SESSION; i++) {
      open.add(new Tab(dave));
    }

    Tab refused = new Tab(dave);

    assertThat(open).allSatisfy(tab -> assertThat(tab.status).isEqualTo(200));
    assertThat(refused.status).isEqualTo(429);
    broker.revoke(FakeBroker.sessionRevoked("sid-dave")); // ends the open ones
    await().atMost(WAIT).until(() -> open.stream().allMatch(tab -> tab.ended));
  }

  @Test
  void whenScriptIsRequestedThenTheLibraryServesIt() throws Exception {
    HttpResponse<String> script =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/session-broker/session-events.js"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/javascript");
    assertThat(script.body()).contains("new EventSource(").contains("session-broker-notice");
  }
}
