package io.sessionbroker.client.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionbroker.client.EventType;
import io.sessionbroker.client.Reason;
import io.sessionbroker.client.RevocationEvent;
import io.sessionbroker.client.internal.RevokedSet;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The broker accepts any {@code sub} of its SubjectRule, white space only included, and publishes
 * {@code user.revoked} for it. The servlet integration must end that user's sessions signed in
 * before it, as it does for every other user.
 */
class RevocationFilterBlankSubTest {

  private static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");

  @Test
  void whenAUserWhoseSubIsWhiteSpaceIsRevokedThenTheirSessionIsInvalidated() throws Exception {
    RevokedSet revoked =
        new RevokedSet(100, Duration.ofHours(10), Clock.fixed(NOW, ZoneOffset.UTC));
    RevocationFilter filter = new RevocationFilter(revoked);
    FilterChain chain = (request, response) -> {};
    String sub = "\u2003";
    FakeHttpSession session = new FakeHttpSession("A", NOW.minusSeconds(60), null);
    SessionAttributes.signedIn(session, "sid-1", sub, NOW.minusSeconds(60));
    revoked.apply(
        new RevocationEvent(
            "1-0",
            EventType.USER_REVOKED,
            Reason.ADMIN,
            "acme",
            "app1",
            null,
            sub,
            List.of(),
            NOW,
            null));

    filter.doFilter(requestWith(session), null, chain);

    assertThat(session.isValid()).isFalse();
  }

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
}
