package io.sessionbroker.examples.quarkus;

import io.sessionbroker.client.SessionBrokerClient;
import io.sessionbroker.client.SessionBrokerException;
import io.sessionbroker.client.SessionRecord;
import io.sessionbroker.client.SessionRegistrationClient;
import io.sessionbroker.client.SessionRevokedException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Registers each signed-in SSO session with the broker once, on the first request after sign-in,
 * under {@link SignedInSession#registrationId()} with the ID token, authenticated by app2's own
 * service-account token ({@link ServiceAccountToken}): the broker accepts no end user's access
 * token as an app caller.
 *
 * <p>Remembers the outcome per {@code sid} in memory, forgotten when a revocation for that sid
 * arrives; after a restart the next request registers again (the broker treats it as a new
 * registration of the same id). A failed registration does not block the user: the client library
 * still drops the session by {@code sid}.
 */
@ApplicationScoped
public class SessionRegistrar {

  private static final Logger LOG = Logger.getLogger(SessionRegistrar.class);
  private static final int MAX_REMEMBERED = 10_000;

  private final SessionRegistrationClient registrations;
  private final Map<String, String> statusBySid = new ConcurrentHashMap<>();

  SessionRegistrar(
      BrokerSettings settings, SessionBrokerClient broker, ServiceAccountToken appToken) {
    this.registrations =
        SessionRegistrationClient.builder()
            .brokerUrl(settings.url())
            .bearerToken(appToken)
            .httpClient(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build())
            .build();
    broker.addListener(
        event -> {
          if (event.sid() != null) {
            statusBySid.remove(event.sid());
          }
        });
  }

  /**
   * Registers the session unless that was done already; blocking (call on a worker thread).
   *
   * @return a human-readable registration status
   * @throws SessionRevokedException when the broker says the SSO session was already logged out
   */
  String ensureRegistered(SignedInSession session, String idToken) {
    String known = statusBySid.get(session.sid());
    if (known != null) {
      return known;
    }
    String status;
    try {
      SessionRecord record = registrations.register(session.registrationId(), idToken);
      status = "registered as " + record.sessionId() + " (" + record.status() + ")";
      LOG.infof("Registered %s for sid %s", record.sessionId(), session.sid());
    } catch (SessionRevokedException e) {
      throw e;
    } catch (SessionBrokerException e) {
      LOG.warnf("Could not register the session with the broker: %s", e.getMessage());
      // Not remembered: the next request tries again.
      return "not registered: " + e.getMessage();
    }
    if (statusBySid.size() >= MAX_REMEMBERED) {
      statusBySid.clear();
    }
    statusBySid.put(session.sid(), status);
    return status;
  }
}
