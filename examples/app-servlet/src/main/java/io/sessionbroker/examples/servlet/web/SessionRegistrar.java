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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a freshly signed-in session with the broker ({@code POST /api/v1/sessions} with the ID
 * token), authenticated by the access token of the same sign-in, whose {@code azp} is this app's
 * client.
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

  private final URI brokerUrl;
  private final HttpClient http;

  /** A registrar for the broker at {@code brokerUrl}. */
  public SessionRegistrar(URI brokerUrl, HttpClient http) {
    this.brokerUrl = brokerUrl;
    this.http = http;
  }

  /**
   * Registers the session under a new registration id.
   *
   * @return {@code false} when the broker says the SSO session was already logged out (the caller
   *     drops the session); {@code true} otherwise, also when the broker could not be reached: the
   *     client library still drops the session by its {@code sid}, so sign-in need not fail
   */
  boolean register(HttpSession session, OpenIdClient.SignIn signIn) {
    // The bearer is this sign-in's access token, so one registration client per sign-in; they
    // share the HTTP client.
    SessionRegistrationClient registrations =
        SessionRegistrationClient.builder()
            .brokerUrl(brokerUrl)
            .bearerToken(signIn::accessToken)
            .httpClient(http)
            .build();
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
