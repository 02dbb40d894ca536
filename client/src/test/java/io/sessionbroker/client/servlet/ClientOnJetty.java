package io.sessionbroker.client.servlet;

import io.sessionbroker.client.FakeBroker;
import io.sessionbroker.client.SessionBrokerClient;
import io.sessionbroker.client.SessionBrokerOptions;
import io.sessionbroker.testsupport.RedisServer;
import java.net.URI;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An app on a real Jetty (127.0.0.1, a free port) with a real client library (issuer alias {@code
 * acme}, client {@code app1}) on a real Redis, and the test acting as the broker on that Redis. The
 * test builds the app's servlet context around the started client.
 */
final class ClientOnJetty {

  private final RedisServer redis;
  private final SessionBrokerClient client;
  private final FakeBroker broker;
  private final Server jetty;
  private final URI base;

  private ClientOnJetty(
      RedisServer redis, SessionBrokerClient client, FakeBroker broker, Server jetty, URI base) {
    this.redis = redis;
    this.client = client;
    this.broker = broker;
    this.jetty = jetty;
    this.base = base;
  }

  /**
   * Starts Redis, the client, the test's broker and Jetty serving the context {@code app} builds
   * for the client.
   */
  static ClientOnJetty start(Function<SessionBrokerClient, ServletContextHandler> app)
      throws Exception {
    RedisServer redis = RedisServer.start();
    SessionBrokerOptions options =
        SessionBrokerOptions.builder()
            .redisUri(redis.uri())
            .issuerAlias("acme")
            .clientId("app1")
            .build();
    SessionBrokerClient client = SessionBrokerClient.start(options);
    FakeBroker broker = new FakeBroker(redis.uri(), options);
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    jetty.setHandler(app.apply(client));
    jetty.start();
    URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    return new ClientOnJetty(redis, client, broker, jetty, base);
  }

  SessionBrokerClient client() {
    return client;
  }

  FakeBroker broker() {
    return broker;
  }

  /** The app's root, {@code http://127.0.0.1:<port>} (no trailing slash). */
  URI base() {
    return base;
  }

  /**
   * Stops Jetty, closes {@code appParts} (what the app built on the client) in order, then the
   * broker, the client and Redis.
   */
  void stop(AutoCloseable... appParts) throws Exception {
    jetty.stop();
    for (AutoCloseable part : appParts) {
      part.close();
    }
    broker.close();
    client.close();
    redis.close();
  }
}
