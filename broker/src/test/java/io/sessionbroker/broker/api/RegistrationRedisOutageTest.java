package io.sessionbroker.broker.api;

import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sessionbroker.broker.outbox.OutageTestResources;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5: a registration while Redis is down is "temporarily unable", {@code 503
 * store_unavailable} as an RFC 9457 problem, for both forms, whichever thread the failure arrives
 * on; once Redis is back, registrations are stored again.
 */
@QuarkusTest
@WithTestResource(OutageTestResources.class)
class RegistrationRedisOutageTest {

  @InjectRedis RedisServer redis;
  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenRedisIsDownThenRegistrationsOfBothFormsAre503AndStoredAgainAfterwards() {
    String accessToken = issuer.accessToken("app1");
    assertThat(
            register(accessToken, Map.of("sessionId", unique("S"), "sid", unique("sid")))
                .statusCode())
        .isEqualTo(201);

    redis.stop();
    try {
      assertStoreUnavailable(
          register(accessToken, Map.of("sessionId", unique("S"), "sid", unique("sid"))));
      assertStoreUnavailable(
          register(
              accessToken,
              Map.of(
                  "sessionId",
                  unique("S"),
                  "idToken",
                  issuer.idToken("app1", unique("sid"), "user-1"))));
    } finally {
      redis.restart();
    }

    assertThat(
            register(accessToken, Map.of("sessionId", unique("S"), "sid", unique("sid")))
                .statusCode())
        .as("registered again once Redis is back")
        .isEqualTo(201);
  }

  private static void assertStoreUnavailable(Response response) {
    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(503);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.jsonPath().getString("type")).isNotBlank();
    assertThat(response.jsonPath().getString("code")).isEqualTo("store_unavailable");
  }
}
