package io.sessionbroker.client.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionbroker.client.EventType;
import io.sessionbroker.client.Reason;
import io.sessionbroker.client.RevocationEvent;
import io.sessionbroker.client.internal.RevokedSet;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RevocationFilterTest {

  private static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");

  private final RevokedSet revoked =
      new RevokedSet(100, Duration.ofHours(10), Clock.fixed(NOW, ZoneOffset.UTC));
  private final RevocationFilter filter = new RevocationFilter(revoked);
  private final AtomicInteger chainCalls = new AtomicInteger();
  private final FilterChain chain = (request, response) -> chainCalls.incrementAndGet();

  /** A request proxy: only getSession(false) and getRequestURI are needed. */
  private static HttpServletRequest requestWith(FakeHttpSession session) {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            HttpServletRequest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getSession" -> session == null || !session.isValid() ? null : session;
                  case "getRequestURI" -> "/app";
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  private static FakeHttpSession session(String id, String sid, String sub, Instant at) {
    FakeHttpSession session = new FakeHttpSession(id, at, null);
    if (sid != null || sub != null) {
      SessionAttributes.signedIn(session, sid, sub, at);
    }
    return session;
  }

  private void revoke(EventType type, String sid, String sub, List<String> ids, Instant notBefore) {
    revoked.apply(
        new RevocationEvent(
            "1-0", type, Reason.ADMIN, "acme", "app1", sid, sub, ids, NOW, notBefore));
  }

  @Test
  void whenSidIsRevokedThenSessionIsInvalidatedAndRequestContinues() throws Exception {
    FakeHttpSession session = session("A", "sid-1", "alice", NOW.minusSeconds(60));
    revoke(EventType.SESSION_REVOKED, "sid-1", "alice", List.of(), null);

    filter.doFilter(requestWith(session), null, chain);

    assertThat(session.isValid()).isFalse();
    assertThat(chainCalls.get()).isEqualTo(1);
  }

  @Test
  void whenSessionIsNotRevokedThenItStaysValid() throws Exception {
    FakeHttpSession session = session("A", "sid-1", "alice", NOW.minusSeconds(60));
    revoke(EventType.SESSION_REVOKED, "sid-other", "alice", List.of(), null);

    filter.doFilter(requestWith(session), null, chain);

    assertThat(session.isValid()).isTrue();
    assertThat(chainCalls.get()).isEqualTo(1);
  }

  @Test
  void whenUserWasRevokedAfterSignInThenSessionIsInvalidatedButNotALaterOne() throws Exception {
    FakeHttpSession before = session("A", "sid-1", "alice", NOW.minusSeconds(60));
    FakeHttpSession after = session("B", "sid-2", "alice", NOW.plusSeconds(60));
    revoke(EventType.USER_REVOKED, null, "alice", List.of(), null);

    filter.doFilter(requestWith(before), null, chain);
    filter.doFilter(requestWith(after), null, chain);

    assertThat(before.isValid()).isFalse();
    assertThat(after.isValid()).isTrue();
  }

  /**
   * The broker accepts any {@code sub} of its SubjectRule, white space only included, and publishes
   * {@code user.revoked} for it: the filter must end that user's sessions signed in before it, as
   * it does for every other user.
   */
  @Test
  void whenAUserWhoseSubIsWhiteSpaceIsRevokedThenTheirSessionIsInvalidated() throws Exception {
    String sub = "\u2003";
    FakeHttpSession session = session("A", "sid-1", sub, NOW.minusSeconds(60));
    revoke(EventType.USER_REVOKED, null, sub, List.of(), null);

    filter.doFilter(requestWith(session), null, chain);

    assertThat(session.isValid()).isFalse();
  }

  @Test
  void whenClientIsRevokedThenAnonymousSessionsSurvive() throws Exception {
    FakeHttpSession signedIn = session("A", "sid-1", "alice", NOW.minusSeconds(60));
    FakeHttpSession anonymous = session("B", null, null, NOW.minusSeconds(60));
    revoke(EventType.CLIENT_REVOKED, null, null, List.of(), NOW);

    filter.doFilter(requestWith(signedIn), null, chain);
    filter.doFilter(requestWith(anonymous), null, chain);

    assertThat(signedIn.isValid()).isFalse();
    assertThat(anonymous.isValid()).isTrue();
  }

  @Test
  void whenRegisteredSessionIdIsRevokedThenSessionIsInvalidated() throws Exception {
    FakeHttpSession session = session("JSESSION-9", null, null, NOW.minusSeconds(60));
    revoke(EventType.SESSION_REVOKED, "sid-x", null, List.of("JSESSION-9"), null);

    filter.doFilter(requestWith(session), null, chain);

    assertThat(session.isValid()).isFalse();
  }

  @Test
  void whenRequestHasNoSessionThenChainContinues() throws Exception {
    filter.doFilter(requestWith(null), null, chain);

    assertThat(chainCalls.get()).isEqualTo(1);
  }

  @Test
  void whenNoCheckerInServletContextThenInitFails() {
    ServletContext context =
        (ServletContext)
            Proxy.newProxyInstance(
                ServletContext.class.getClassLoader(),
                new Class<?>[] {ServletContext.class},
                (proxy, method, args) -> null);
    FilterConfig config = configWith(context);

    assertThatThrownBy(() -> new RevocationFilter().init(config))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining(RevocationFilter.CHECKER_ATTRIBUTE);
  }

  @Test
  void whenCheckerIsInServletContextThenNoArgFilterUsesIt() throws Exception {
    Map<String, Object> attributes = Map.of(RevocationFilter.CHECKER_ATTRIBUTE, revoked);
    ServletContext context =
        (ServletContext)
            Proxy.newProxyInstance(
                ServletContext.class.getClassLoader(),
                new Class<?>[] {ServletContext.class},
                (proxy, method, args) ->
                    "getAttribute".equals(method.getName()) ? attributes.get(args[0]) : null);
    RevocationFilter fromContext = new RevocationFilter();
    fromContext.init(configWith(context));
    FakeHttpSession session = session("A", "sid-1", null, NOW.minusSeconds(1));
    revoke(EventType.SESSION_REVOKED, "sid-1", null, List.of(), null);

    fromContext.doFilter(requestWith(session), null, chain);

    assertThat(session.isValid()).isFalse();
  }

  private static FilterConfig configWith(ServletContext context) {
    return (FilterConfig)
        Proxy.newProxyInstance(
            FilterConfig.class.getClassLoader(),
            new Class<?>[] {FilterConfig.class},
            (proxy, method, args) -> "getServletContext".equals(method.getName()) ? context : null);
  }
}
