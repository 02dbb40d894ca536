package io.sessionbroker.examples.servlet;

import io.sessionbroker.client.LogoutUrls;
import io.sessionbroker.client.SessionBrokerClient;
import io.sessionbroker.client.SessionBrokerOptions;
import io.sessionbroker.client.push.SessionEventsHub;
import io.sessionbroker.client.servlet.SessionBrokerServlet;
import io.sessionbroker.examples.servlet.oidc.OpenIdClient;
import io.sessionbroker.examples.servlet.web.CallbackServlet;
import io.sessionbroker.examples.servlet.web.HealthServlet;
import io.sessionbroker.examples.servlet.web.HomeServlet;
import io.sessionbroker.examples.servlet.web.LoginServlet;
import io.sessionbroker.examples.servlet.web.LogoutServlet;
import io.sessionbroker.examples.servlet.web.SessionRegistrar;
import io.sessionbroker.examples.servlet.web.SignedOutServlet;
import java.io.IOException;
import java.net.BindException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "app1": a plain servlet web app on embedded Jetty 12 behind Keycloak.
 *
 * <ul>
 *   <li>{@code /} shows who is signed in; {@code /login} and {@code /callback} are the
 *       authorization code flow (by hand: {@link OpenIdClient}); {@code POST /logout} ends the
 *       session and Keycloak's SSO session; {@code /signed-out} is where Keycloak returns to.
 *   <li>After sign-in the session is registered with the Session Broker.
 *   <li>{@link SessionBrokerServlet#install} wires the client library in: a revocation event (a
 *       logout anywhere in the same SSO session) invalidates the {@code HttpSession} at once, and
 *       every request is checked against the local revoked set.
 *   <li>{@link SessionBrokerServlet#installSessionEvents} adds live push: every open tab of a
 *       revoked session shows a notice at once and goes to {@code /signed-out}.
 * </ul>
 *
 * <p>Settings: see {@link AppConfig}. Start: {@code java -jar app-servlet.jar}.
 */
public final class App1 implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(App1.class);
  private static final int SESSION_TIMEOUT_SECONDS = 30 * 60;

  private final Server server;
  private final SessionBrokerClient brokerClient;
  private final SessionEventsHub pushHub;

  private App1(Server server, SessionBrokerClient brokerClient, SessionEventsHub pushHub) {
    this.server = server;
    this.brokerClient = brokerClient;
    this.pushHub = pushHub;
  }

  /** Starts app1 with the settings from system properties and environment; stops on SIGTERM. */
  public static void main(String[] args) throws InterruptedException {
    AppConfig config = AppConfig.fromEnvironment();
    App1 app = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "app1-shutdown"));
    app.server.join();
  }

  /**
   * Connects the client library to Redis (it catches up before it returns), then serves HTTP.
   *
   * @throws IllegalStateException when Redis cannot be reached or the port is taken
   */
  public static App1 start(AppConfig config) {
    SessionBrokerClient brokerClient =
        SessionBrokerClient.start(
            SessionBrokerOptions.builder()
                .redisUri(config.redisUri())
                .issuerAlias(config.issuerAlias())
                .clientId(config.clientId())
                .build(),
            event ->
                LOG.info(
                    "Revocation {} ({}, reason {}) for sid {}",
                    event.id(),
                    event.type(),
                    event.reason(),
                    event.sid()));
    Server server = new Server();
    AtomicReference<SessionEventsHub> pushHub = new AtomicReference<>();
    try {
      ServerConnector connector = new ServerConnector(server);
      connector.setHost(config.host());
      connector.setPort(config.port());
      server.addConnector(connector);
      server.setHandler(webApp(config, brokerClient, pushHub));
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      closeQuietly(pushHub.get());
      brokerClient.close();
      if (e instanceof IOException && e.getCause() instanceof BindException
          || e instanceof BindException) {
        throw new IllegalStateException(
            "Port " + config.port() + " on " + config.host() + " is taken (set app.port)", e);
      }
      throw new IllegalStateException("app1 could not start: " + e.getMessage(), e);
    }
    LOG.info("app1 serves {} ({})", config.publicUrl(), config);
    return new App1(server, brokerClient, pushHub.get());
  }

  private static ServletContextHandler webApp(
      AppConfig config,
      SessionBrokerClient brokerClient,
      AtomicReference<SessionEventsHub> pushHub) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    OpenIdClient openId =
        new OpenIdClient(
            config.issuer(),
            config.clientId(),
            config.clientSecret(),
            config.url("/callback"),
            http);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
    context.setContextPath("/");
    SessionHandler sessions = context.getSessionHandler();
    // Its own cookie name: app2 and Keycloak share the host 127.0.0.1 (cookies ignore ports).
    sessions.setSessionCookie("APP1_SESSION");
    sessions.setHttpOnly(true);
    sessions.setSameSite(HttpCookie.SameSite.LAX);
    sessions.setMaxInactiveInterval(SESSION_TIMEOUT_SECONDS);
    // Listeners and filters may be added to a ServletContext only while it initialises.
    // installSessionEvents: live push to open tabs (/session-broker/events and the page script).
    context.addServletContainerInitializer(
        (classes, servletContext) -> {
          SessionBrokerServlet.install(servletContext, brokerClient);
          pushHub.set(SessionBrokerServlet.installSessionEvents(servletContext, brokerClient));
        });
    context.addServlet(new ServletHolder(new HomeServlet()), "");
    context.addServlet(new ServletHolder(new LoginServlet(openId)), "/login");
    context.addServlet(
        new ServletHolder(
            new CallbackServlet(
                openId,
                new SessionRegistrar(config.brokerUrl(), http, openId::serviceAccountToken))),
        "/callback");
    context.addServlet(
        new ServletHolder(
            new LogoutServlet(
                LogoutUrls.forKeycloakIssuer(config.issuer()), config.url("/signed-out"))),
        "/logout");
    context.addServlet(new ServletHolder(new SignedOutServlet()), "/signed-out");
    context.addServlet(new ServletHolder(new HealthServlet()), "/health");
    return context;
  }

  /** The port Jetty listens on. */
  public int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** Stops Jetty, then the push hub and the client library. Idempotent. */
  @Override
  public void close() {
    stopQuietly(server);
    closeQuietly(pushHub);
    brokerClient.close();
  }

  private static void closeQuietly(SessionEventsHub hub) {
    if (hub != null) {
      hub.close();
    }
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("Jetty did not stop cleanly: {}", e.toString());
    }
  }
}
