package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * An admin revocation by {@code sid} that is sent again (the admin's HTTP client timed out while
 * the broker ended the session at Keycloak and retried, the operator clicked twice) is the same
 * revocation: RevocationService promises "replaying the same revocation (a retried request...)
 * appends no second event", and SPEC §3.3 one event per client per logout.
 *
 * <p>AdminRevocations#bySid gives each request the time it arrives as its revocation time, and
 * revoke_sid.lua now takes a later revocation time for a NEW logout of the sid (next generation,
 * own dedupe key): a retry that arrives in a later second than the first request appends a second
 * {@code session.revoked} to every client of the sid. {@code
 * AdminRevocationTest#whenAdminRevokesTheSameSidTwiceThenNoSecondEventIsAppended} passes only
 * because its two requests fall in the same second.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class AdminRevocationRetryTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenTheSameSidRevocationIsRetriedASecondLaterThenNoSecondEventIsAppended() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    String sid = unique("sid");
    registerOk(token, unique("S"), sid, null);

    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);
    long first = Instant.now().getEpochSecond();
    Awaitility.await()
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> Instant.now().getEpochSecond() > first);
    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/api/v1/events")
        .then()
        .statusCode(200)
        .body("items", hasSize(1));
  }
}
