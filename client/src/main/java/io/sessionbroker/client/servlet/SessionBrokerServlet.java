package io.sessionbroker.client.servlet;

import io.sessionbroker.client.SessionBrokerClient;
import io.sessionbroker.client.push.SessionEventsHub;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.EnumSet;
import java.util.Objects;

/** Wires the servlet integration into a web application in one call. */
public final class SessionBrokerServlet {

  /** Name under which {@link #install} registers the {@link RevocationFilter}. */
  public static final String FILTER_NAME = "sessionBrokerRevocationFilter";

  private SessionBrokerServlet() {}

  /**
   * Registers a {@link SessionTracker} as servlet listener and as the client's revocation listener,
   * and a {@link RevocationFilter} in front of every request. Call during servlet context
   * initialisation (e.g. from a {@code ServletContainerInitializer} or {@code
   * ServletContextListener#contextInitialized}).
   *
   * @return the tracker, e.g. for metrics
   */
  public static SessionTracker install(ServletContext context, SessionBrokerClient client) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(client, "client");
    SessionTracker tracker = new SessionTracker(client.options().clockSkew());
    context.addListener(tracker);
    client.addListener(tracker);
    context.setAttribute(RevocationFilter.CHECKER_ATTRIBUTE, client);
    FilterRegistration.Dynamic filter =
        context.addFilter(FILTER_NAME, new RevocationFilter(client));
    filter.setAsyncSupported(true);
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    return tracker;
  }

  /** Name under which {@link #installSessionEvents} registers the {@link SessionEventsServlet}. */
  public static final String EVENTS_SERVLET_NAME = "sessionBrokerEvents";

  /** Where {@link #installSessionEvents} maps the {@link SessionEventsServlet}. */
  public static final String EVENTS_MAPPING = "/session-broker/*";

  /**
   * Registers live push to the browser: a {@link SessionEventsHub} as the client's revocation
   * listener, and the {@link SessionEventsServlet} (async) at {@value #EVENTS_MAPPING}, which
   * serves {@code /session-broker/events} and {@code /session-broker/session-events.js}. Call
   * during servlet context initialisation, like {@link #install}.
   *
   * @return the hub; close it when the application stops (after the client)
   */
  public static SessionEventsHub installSessionEvents(
      ServletContext context, SessionBrokerClient client) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(client, "client");
    SessionEventsHub hub =
        new SessionEventsHub(
            SessionEventsHub.DEFAULT_MAX_STREAMS_PER_SESSION,
            SessionEventsHub.DEFAULT_HEARTBEAT,
            client.options().clockSkew(),
            client.options().clock());
    client.addListener(hub);
    ServletRegistration.Dynamic servlet =
        context.addServlet(EVENTS_SERVLET_NAME, new SessionEventsServlet(hub, client));
    servlet.setAsyncSupported(true);
    servlet.addMapping(EVENTS_MAPPING);
    return hub;
  }
}
