package io.sessionbroker.broker.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionbroker.broker.config.SessionBrokerConfig.LogoutScope;
import io.sessionbroker.broker.verdict.RevocationView.Revoked;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The rules of the in-memory revocation view, on event JSON of SPEC §3.3. */
class RevocationViewTest {

  private static final Instant AT = Instant.parse("2026-11-24T05:49:43.004Z");
  private static final long AT_SECOND = AT.getEpochSecond();

  private final RevocationView sso = new RevocationView(LogoutScope.SSO, Duration.ofHours(1));

  @Test
  void whenTheSidWasRevokedInTheSameSecondAsTheTokensIatThenTheTokenIsRevoked() {
    sso.apply(sessionRevoked("app1", "sid-1"));

    assertThat(sso.check("acme", "spa", "sid-1", "u", AT_SECOND)).isEqualTo(Revoked.SESSION);
    assertThat(sso.check("acme", "spa", "sid-1", "u", AT_SECOND + 1)).isEqualTo(Revoked.NONE);
  }

  @Test
  void whenTheScopeIsClientThenASidRevocationOnlyRefusesThatClientsTokens() {
    RevocationView perClient = new RevocationView(LogoutScope.CLIENT, Duration.ofHours(1));
    perClient.apply(sessionRevoked("app1", "sid-1"));

    assertThat(perClient.check("acme", "app1", "sid-1", "u", AT_SECOND)).isEqualTo(Revoked.SESSION);
    assertThat(perClient.check("acme", "spa", "sid-1", "u", AT_SECOND)).isEqualTo(Revoked.NONE);
  }

  @Test
  void whenAnotherIssuerRevokedTheSameSidThenTheTokenPasses() {
    sso.apply(sessionRevoked("app1", "sid-1"));

    assertThat(sso.check("other", "spa", "sid-1", "u", AT_SECOND)).isEqualTo(Revoked.NONE);
  }

  @Test
  void whenTheUserWasRevokedThenHisTokensIssuedUpToThatSecondAreRefused() {
    sso.apply(
        "{\"v\":1,\"id\":\"1-0\",\"type\":\"user.revoked\",\"reason\":\"admin\",\"issuer\":\"acme\","
            + "\"clientId\":\"app1\",\"sub\":\"u1\",\"sessionIds\":[],\"at\":\""
            + AT
            + "\"}");

    assertThat(sso.check("acme", "spa", "any-sid", "u1", AT_SECOND - 100)).isEqualTo(Revoked.USER);
    assertThat(sso.check("acme", "spa", "any-sid", "u2", AT_SECOND - 100)).isEqualTo(Revoked.NONE);
    assertThat(sso.check("acme", "spa", "any-sid", "u1", AT_SECOND + 1)).isEqualTo(Revoked.NONE);
  }

  @Test
  void whenTheClientWasRevokedThenItsNotBeforeDecidesNotTheEventsTime() {
    Instant notBefore = AT.minusSeconds(60);
    sso.apply(
        "{\"v\":1,\"id\":\"1-0\",\"type\":\"client.revoked\",\"reason\":\"keycloak_admin\","
            + "\"issuer\":\"acme\",\"clientId\":\"spa\",\"sessionIds\":[],\"at\":\""
            + AT
            + "\",\"notBefore\":\""
            + notBefore
            + "\"}");

    long notBeforeSecond = notBefore.getEpochSecond();
    assertThat(sso.check("acme", "spa", "s", "u", notBeforeSecond)).isEqualTo(Revoked.CLIENT);
    assertThat(sso.check("acme", "spa", "s", "u", notBeforeSecond + 1)).isEqualTo(Revoked.NONE);
    assertThat(sso.check("acme", "app1", "s", "u", notBeforeSecond)).isEqualTo(Revoked.NONE);
  }

  @Test
  void whenEventsAreReplayedOrArriveOutOfOrderThenTheLatestRevocationWins() {
    sso.apply(sessionRevoked("app1", "sid-1"));
    sso.apply(sessionRevoked("app2", "sid-1", AT.minusSeconds(30)));
    sso.apply(sessionRevoked("app1", "sid-1"));

    assertThat(sso.check("acme", "spa", "sid-1", "u", AT_SECOND)).isEqualTo(Revoked.SESSION);
    assertThat(sso.size()).isEqualTo(1);
  }

  @Test
  void whenARevocationIsOlderThanTheWindowThenItIsDropped() {
    sso.apply(sessionRevoked("app1", "old", AT.minus(Duration.ofHours(1)).minusSeconds(1)));
    sso.apply(sessionRevoked("app1", "recent", AT.minusSeconds(10)));

    sso.dropOlderThanWindow(AT);

    assertThat(sso.size()).isEqualTo(1);
    assertThat(sso.check("acme", "spa", "recent", "u", AT_SECOND - 20)).isEqualTo(Revoked.SESSION);
  }

  @Test
  void whenAnEventIsUnreadableOrOfAnotherVersionThenItIsIgnored() {
    assertThat(sso.apply("not json")).isFalse();
    assertThat(sso.apply(sessionRevoked("app1", "sid-1").replace("\"v\":1", "\"v\":2"))).isFalse();
    assertThat(sso.apply(sessionRevoked("app1", "sid-1").replace("session.revoked", "x.y")))
        .isFalse();
    assertThat(sso.apply(sessionRevoked("app1", "sid-1").replace(AT.toString(), "yesterday")))
        .isFalse();

    assertThat(sso.size()).isZero();
  }

  @Test
  void whenAnEventHasUnknownFieldsThenItIsApplied() {
    assertThat(sso.apply(sessionRevoked("app1", "sid-1").replace("{\"v\":1", "{\"v\":1,\"x\":[1]")))
        .isTrue();

    assertThat(sso.check("acme", "spa", "sid-1", null, AT_SECOND)).isEqualTo(Revoked.SESSION);
  }

  private static String sessionRevoked(String clientId, String sid) {
    return sessionRevoked(clientId, sid, AT);
  }

  private static String sessionRevoked(String clientId, String sid, Instant at) {
    return "{\"v\":1,\"id\":\"1764000000000-0\",\"type\":\"session.revoked\","
        + "\"reason\":\"backchannel_logout\",\"issuer\":\"acme\",\"clientId\":\""
        + clientId
        + "\",\"sid\":\""
        + sid
        + "\",\"sub\":\"u\",\"sessionIds\":[],\"at\":\""
        + at
        + "\"}";
  }
}
