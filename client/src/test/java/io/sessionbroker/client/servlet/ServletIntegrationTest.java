package io.sessionbroker.client.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sessionbroker.client.FakeBroker;
import io.sessionbroker.client.SessionBrokerClient;
import io.sessionbroker.client.SessionBrokerOptions;
import io.sessionbroker.testsupport.RedisServer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The servlet integration wired to a real client and Redis; the container is a fake. */
class ServletIntegrationTest {

  private final List<Object> listeners = new ArrayList<>();
  private final Map<String, Object> attributes = new HashMap<>();
  private final List<Filter> filters = new ArrayList<>();
  private final List<String> mappings = new ArrayList<>();

  private ServletContext context() {
    FilterRegistration.Dynamic registration =
        (FilterRegistration.Dynamic)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {FilterRegistration.Dynamic.class},
                (proxy, method, args) -> {
                  if ("addMappingForUrlPatterns".equals(method.getName())) {
                    assertThat(args[0]).isEqualTo(EnumSet.of(DispatcherType.REQUEST));
                    mappings.addAll(List.of((String[]) args[2]));
                  }
                  return null;
                });
    return (ServletContext)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {ServletContext.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "addListener" -> {
                    listeners.add(args[0]);
                    yield null;
                  }
                  case "setAttribute" -> attributes.put((String) args[0], args[1]);
                  case "addFilter" -> {
                    filters.add((Filter) args[1]);
                    yield registration;
                  }
                  default -> null;
                });
  }

  @Test
  void whenRevocationArrivesThenTrackedSessionIsInvalidatedAtOnce() {
    try (RedisServer redis = RedisServer.start()) {
      SessionBrokerOptions options =
          SessionBrokerOptions.builder()
              .redisUri(redis.uri())
              .issuerAlias("acme")
              .clientId("servlet-app")
              .build();
      try (SessionBrokerClient client = SessionBrokerClient.start(options);
          FakeBroker broker = new FakeBroker(redis.uri(), options)) {
        SessionTracker tracker = SessionBrokerServlet.install(context(), client);
        FakeHttpSession alice = new FakeHttpSession("S1", Instant.now(), tracker);
        SessionAttributes.signedIn(alice, "sid-alice", "alice", Instant.now());
        FakeHttpSession bob = new FakeHttpSession("S2", Instant.now(), tracker);
        SessionAttributes.signedIn(bob, "sid-bob", "bob", Instant.now());

        broker.revoke(FakeBroker.sessionRevoked("sid-alice"));

        await().atMost(Duration.ofSeconds(30)).until(() -> !alice.isValid());
        assertThat(bob.isValid()).isTrue();
        assertThat(tracker.trackedSessions()).isEqualTo(1);
        assertThat(listeners).containsExactly(tracker);
        assertThat(attributes).containsEntry(RevocationFilter.CHECKER_ATTRIBUTE, client);
        assertThat(filters).singleElement().isInstanceOf(RevocationFilter.class);
        assertThat(mappings).containsExactly("/*");
      }
    }
  }
}
