package io.sessionbroker.broker.api;

import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An administrator's revocation by {@code sid} or {@code sub} (SPEC §3.2) has no audience: it is
 * delivered to every known client of the issuer, here the allow-listed {@code app1} of issuer
 * {@code other}, which registered nothing: exactly one event with empty {@code sessionIds} (SPEC
 * §3.3, apps that keep no registration drop by sid/sub), and a retried request adds none.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class AdminRevocationWithoutRegistrationsTest {

  private static final String STREAM = "sb:events:other:app1";

  @InjectTestIssuer("other")
  TestIssuer otherIssuer;

  @Inject RedisDataSource redis;

  @Test
  void whenAnAdminRevokesAnUnregisteredUserThenTheAllowListedClientGetsOneUserRevokedEvent() {
    String sub = unique("user");

    revoke(admin(), Map.of("sub", sub)).then().statusCode(200);
    revoke(admin(), Map.of("sub", sub)).then().statusCode(200);

    List<JsonObject> events = eventsNaming("sub", sub);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getString("type")).isEqualTo("user.revoked");
    assertThat(events.get(0).getString("reason")).isEqualTo("admin");
    assertThat(events.get(0).getString("clientId")).isEqualTo("app1");
    assertThat(events.get(0).getJsonArray("sessionIds")).isEmpty();
  }

  @Test
  void whenAnAdminRevokesAnUnregisteredSidThenTheAllowListedClientGetsOneSessionRevokedEvent() {
    String sid = unique("sid");

    revoke(admin(), Map.of("sid", sid)).then().statusCode(200);
    revoke(admin(), Map.of("sid", sid)).then().statusCode(200);

    List<JsonObject> events = eventsNaming("sid", sid);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getString("type")).isEqualTo("session.revoked");
    assertThat(events.get(0).getString("reason")).isEqualTo("admin");
    assertThat(events.get(0).getJsonArray("sessionIds")).isEmpty();
  }

  /** An admin of issuer {@code other}: the allow-listed client with the admin realm role. */
  private String admin() {
    return otherIssuer.accessToken("app1", "session-broker-admin");
  }

  private List<JsonObject> eventsNaming(String field, String value) {
    List<JsonObject> matching = new ArrayList<>();
    Response entries = redis.execute("XRANGE", STREAM, "-", "+");
    if (entries != null) {
      for (Response entry : entries) {
        JsonObject event = new JsonObject(EventStreams.event(entry));
        if (value.equals(event.getString(field))) {
          matching.add(event);
        }
      }
    }
    return matching;
  }
}
