package io.sessionbroker.examples.servlet.web;

import io.sessionbroker.client.SessionBrokerException;
import io.sessionbroker.client.SessionRecord;
import io.sessionbroker.client.SessionRegistrationClient;
import io.sessionbroker.client.SessionRevokedException;
import io.sessionbroker.client.servlet.SessionAttributes;
import io.sessionbroker.examples.servlet.oidc.OpenIdClient;
import jakarta.servlet.http.HttpSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a freshly signed-in session with the broker ({@code POST /api/v1/sessions} with the ID
 * token), authenticated by this app's own service-account token (client-credentials grant): the
 * broker accepts no end user's access token as an app caller.
 *
 * <p>The session is registered under a random id, not under {@code HttpSession.getId()}: the
 * container's id is the session cookie's value, a credential that has no business in Redis or in
 * the broker's API. The servlet integration finds the session again through {@link
 * SessionAttributes#SESSION_ID}.
 */
public final class SessionRegistrar {

  /** Session attribute with a human-readable registration status, shown on the home page. */
  static final String STATUS_ATTRIBUTE = "app1.broker-registration";

  private static final Logger LOG = LoggerFactory.getLogger(SessionRegistrar.class);

  private final SessionRegistrationClient registrations;

  /**
   * A registrar for the broker at {@code brokerUrl}.
   *
   * @param appToken supplies this app's service-account access token
   */
  public SessionRegistrar(URI brokerUrl, HttpClient http, Supplier<String> appToken) {
    this.registrations =
        SessionRegistrationClient.builder()
            .brokerUrl(brokerUrl)
            .bearerToken(appToken)
            .httpClient(http)
            .build();
  }

  /**
   * Registers the session under a new registration id.
   *
   * @return {@code false} when the broker says the SSO session was already logged out (the caller
   *     drops the session); {@code true} otherwise, also when the broker could not be reached: the
   *     client library still drops the session by its {@code sid}, so sign-in need not fail
   */
  boolean register(HttpSession session, OpenIdClient.SignIn signIn) {
    String registrationId = "app1-" + UUID.randomUUID();
    session.setAttribute(SessionAttributes.SESSION_ID, registrationId);
    try {
      SessionRecord record = registrations.register(registrationId, signIn.idToken().compact());
      session.setAttribute(
          STATUS_ATTRIBUTE, "registered as " + record.sessionId() + " (" + record.status() + ")");
      return true;
    } catch (SessionRevokedException e) {
      LOG.info("The broker refused the registration: sid {} is logged out", signIn.idToken().sid());
      return false;
    } catch (SessionBrokerException e) {
      LOG.warn("Could not register the session with the broker: {}", e.getMessage());
      session.setAttribute(STATUS_ATTRIBUTE, "not registered: " + e.getMessage());
      return true;
    }
  }
}
