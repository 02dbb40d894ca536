package io.sessionbroker.examples.quarkus;

import io.quarkus.runtime.Startup;
import io.sessionbroker.client.SessionBrokerClient;
import io.sessionbroker.client.SessionBrokerOptions;
import io.sessionbroker.client.push.SessionEventsHub;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts the client library at application start: it subscribes to this client's revocation channel
 * and catches up from the stream before the app serves its first request, so the revoked set is
 * complete from the start. Redis unreachable at start fails the start.
 */
@ApplicationScoped
public class SessionBrokerSetup {

  private static final Logger LOG = Logger.getLogger(SessionBrokerSetup.class);

  @Produces
  @Singleton
  @Startup
  SessionBrokerClient sessionBrokerClient(
      BrokerSettings settings, @ConfigProperty(name = "quarkus.oidc.client-id") String clientId) {
    SessionBrokerClient client =
        SessionBrokerClient.start(
            SessionBrokerOptions.builder()
                .redisUri(settings.redisUri())
                .issuerAlias(settings.issuerAlias())
                .clientId(clientId)
                .build(),
            event ->
                LOG.infof(
                    "Revocation %s (%s, reason %s) for sid %s",
                    event.id(), event.type(), event.reason(), event.sid()));
    LOG.infof("Listening for revocations of %s/%s", settings.issuerAlias(), clientId);
    return client;
  }

  /** Live push to open tabs: told of every revocation by the client library. */
  @Produces
  @Singleton
  SessionEventsHub sessionEventsHub(SessionBrokerClient client) {
    SessionEventsHub hub =
        new SessionEventsHub(
            SessionEventsHub.DEFAULT_MAX_STREAMS_PER_SESSION,
            SessionEventsHub.DEFAULT_HEARTBEAT,
            client.options().clockSkew(),
            client.options().clock());
    client.addListener(hub);
    return hub;
  }

  void close(@Disposes SessionEventsHub hub) {
    hub.close();
  }

  void close(@Disposes SessionBrokerClient client) {
    client.close();
  }
}
