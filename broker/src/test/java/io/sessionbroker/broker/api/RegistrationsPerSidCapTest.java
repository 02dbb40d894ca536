package io.sessionbroker.broker.api;

import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.getSession;
import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One sid holds at most {@code session-broker.registration.max-per-sid} registrations: otherwise
 * one app could register very many sessions under a victim's sid and make its logout ({@code
 * revoke_sid.lua}, which reads the whole sid hash) slow past {@code quarkus.redis.timeout}.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RegistrationsPerSidCapTest {

  @InjectTestIssuer TestIssuer issuer;

  @InjectRedis RedisServer redis;

  @Inject SessionBrokerConfig config;

  @Test
  void whenASidHoldsTheMostRegistrationsThenANewOneIsRefusedAndNothingIsStored() {
    String token = issuer.accessToken(unique("app"));
    String sid = unique("sid");
    List<String> stored = fill(token, sid);
    String extra = unique("S");

    register(token, Map.of("sessionId", extra, "sid", sid))
        .then()
        .statusCode(409)
        .body("code", equalTo("too_many_sessions_for_sid"));

    getSession(token, extra).then().statusCode(404);
    assertThat(redis.command("HLEN sb:sid:{test:" + sid + "}")).isEqualTo(":" + stored.size());
  }

  @Test
  void whenASidIsAtTheCapThenARetriedRegistrationIsStillStored() {
    String token = issuer.accessToken(unique("app"));
    String sid = unique("sid");
    List<String> stored = fill(token, sid);

    registerOk(token, stored.get(0), sid, null);
  }

  @Test
  void whenASidIsAtTheCapThenItsLogoutRevokesEveryRegistration() {
    String token = issuer.accessToken(unique("app"));
    String sid = unique("sid");
    List<String> stored = fill(token, sid);

    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    for (String sessionId : stored) {
      getSession(token, sessionId).then().statusCode(200).body("status", equalTo("revoked"));
    }
  }

  /** Registers the most sessions one sid may hold; their session ids. */
  private List<String> fill(String token, String sid) {
    List<String> sessionIds = new ArrayList<>();
    for (int i = 0; i < config.registration().maxPerSid(); i++) {
      String sessionId = unique("S");
      registerOk(token, sessionId, sid, null);
      sessionIds.add(sessionId);
    }
    return sessionIds;
  }
}
