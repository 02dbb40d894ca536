package io.sessionbroker.client.servlet;

import io.sessionbroker.client.SessionBrokerClient;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
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
}
