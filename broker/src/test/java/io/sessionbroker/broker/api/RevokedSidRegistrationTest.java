package io.sessionbroker.broker.api;

import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.getSession;
import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.revoke;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC §3.2: registering under an SSO session that was already logged out is 409. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RevokedSidRegistrationTest {

  @InjectTestIssuer TestIssuer issuer;

  @InjectTestIssuer("other")
  TestIssuer otherIssuer;

  @Test
  void whenSidWasRevokedThenRegistrationWithSidIsConflictSessionRevoked() {
    String sid = unique("sid");
    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    register(issuer.accessToken("app1"), Map.of("sessionId", unique("S"), "sid", sid))
        .then()
        .statusCode(409)
        .header("Content-Type", startsWith("application/problem+json"))
        .body("status", equalTo(409))
        .body("code", equalTo("session_revoked"));
  }

  @Test
  void whenSidWasRevokedThenRegistrationWithIdTokenIsConflictSessionRevoked() {
    String sid = unique("sid");
    // Issued before the revocation: a session that started before it (SPEC §3.2 start-time rule).
    String idToken = issuer.idToken("app1", sid, "u-1");
    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    register(issuer.accessToken("app1"), Map.of("sessionId", unique("S"), "idToken", idToken))
        .then()
        .statusCode(409)
        .body("code", equalTo("session_revoked"));
  }

  @Test
  void whenSidWasRevokedThenEarlierRegistrationReadsRevokedWithRevokedAt() {
    String token = issuer.accessToken("app1");
    String sid = unique("sid");
    String sessionId = unique("S");
    registerOk(token, sessionId, sid, "u-1");
    Instant before = Instant.now().minusSeconds(1);

    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    Response read = getSession(token, sessionId);
    read.then().statusCode(200).body("status", equalTo("revoked")).body("sid", equalTo(sid));
    assertThat(Instant.parse(read.<String>path("revokedAt")))
        .isBetween(before, Instant.now().plusSeconds(1));
  }

  @Test
  void whenSidWasRevokedThenRetryOfTheEarlierRegistrationIsConflict() {
    String token = issuer.accessToken("app1");
    String sid = unique("sid");
    String sessionId = unique("S");
    registerOk(token, sessionId, sid, null);
    revoke(adminToken(issuer), Map.of("sid", sid)).then().statusCode(200);

    register(token, Map.of("sessionId", sessionId, "sid", sid))
        .then()
        .statusCode(409)
        .body("code", equalTo("session_revoked"));
    getSession(token, sessionId).then().statusCode(200).body("status", equalTo("revoked"));
  }

  @Test
  void whenSidOfAnotherIssuerWasRevokedThenRegistrationUnderThisIssuerSucceeds() {
    String sid = unique("sid");
    revoke(otherIssuer.accessToken("app1", ApiTestCalls.ADMIN_ROLE), Map.of("sid", sid))
        .then()
        .statusCode(200);

    register(issuer.accessToken("app1"), Map.of("sessionId", unique("S"), "sid", sid))
        .then()
        .statusCode(201);
  }

  @Test
  void whenRefusedAsRevokedThenAnEarlierRegistrationOfTheSameSessionIdStaysReadable() {
    // A refused registration must change nothing (SPEC §5), also not which sid a session id
    // points at.
    String token = issuer.accessToken("app1");
    String liveSid = unique("sid");
    String revokedSid = unique("sid");
    String sessionId = unique("S");
    registerOk(token, sessionId, liveSid, null);
    revoke(adminToken(issuer), Map.of("sid", revokedSid)).then().statusCode(200);

    register(token, Map.of("sessionId", sessionId, "sid", revokedSid)).then().statusCode(409);

    getSession(token, sessionId)
        .then()
        .statusCode(200)
        .body("sid", equalTo(liveSid))
        .body("status", equalTo("active"));
  }
}
