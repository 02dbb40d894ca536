package io.sessionbroker.broker.logout;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.logout.LogoutFixtures.postLogoutToken;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.logout.LogoutFixtures.StreamEntry;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

/**
 * The registration start-time rule of SPEC §3.2 ({@code POST /api/v1/sessions}), in logout scope
 * {@code client}: a registration is refused with 409 iff a revocation covering it (its sid, its
 * user, its client's not-before) has a revocation time at or after the session's start. Start: the
 * ID token's {@code iat}, or the explicit {@code issuedAt}; revocation time: the logout token's
 * {@code iat}. Whole seconds; equal refuses.
 *
 * <p>Keycloak's case: a user revokes consent to app1, so Keycloak sends app1 a logout token with
 * the sid while the SSO session lives on; a later sign-in to app1 gets an ID token with the same
 * sid.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
@WithTestResource(RegistrationStartTimeTest.ClientScope.class)
class RegistrationStartTimeTest {

  private static final String CLIENT = "app1";

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @Inject RedisDataSource redis;

  @Test
  void whenAnIdTokenWasIssuedAfterAClientOnlyLogoutOfItsSidThenItRegisters() {
    String sid = unique("sid");
    String sub = unique("user");
    long logoutAt = Instant.now().getEpochSecond() - 3;
    assertThat(postLogoutToken(logoutToken(sid, sub, logoutAt)).statusCode()).isEqualTo(200);

    Response response = registerWithIdToken(idToken(sid, sub, logoutAt + 2));

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(201);
    assertThat(response.<String>path("status")).isEqualTo("active");
  }

  @Test
  void whenTheSidIsLoggedOutAgainAfterARegistrationWasAdmittedThenTheAppGetsASecondEvent() {
    String sid = unique("sid");
    String sub = unique("user");
    long logoutAt = Instant.now().getEpochSecond() - 3;
    assertThat(postLogoutToken(logoutToken(sid, sub, logoutAt)).statusCode()).isEqualTo(200);
    Response admitted = registerWithIdToken(idToken(sid, sub, logoutAt + 2));
    assertThat(admitted.statusCode()).as("body %s", admitted.asString()).isEqualTo(201);
    String sessionId = admitted.path("sessionId");

    assertThat(postLogoutToken(issuer.logoutToken(CLIENT, sid, sub)).statusCode()).isEqualTo(200);

    List<StreamEntry> events = new LogoutFixtures(redis).eventsForSid("test", CLIENT, sid);
    assertThat(events).hasSize(2);
    assertThat(events.get(1).json().path("sessionIds").toString()).contains(sessionId);
    assertThat(LogoutFixtures.sessionStatus(issuer, CLIENT, sessionId)).isEqualTo("revoked");
  }

  @Test
  void whenAnIdTokenWasIssuedInTheSameSecondAsTheLogoutThenRefused() {
    String sid = unique("sid");
    String sub = unique("user");
    long logoutAt = Instant.now().getEpochSecond() - 3;
    assertThat(postLogoutToken(logoutToken(sid, sub, logoutAt)).statusCode()).isEqualTo(200);

    Response response = registerWithIdToken(idToken(sid, sub, logoutAt));

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(409);
    assertThat(response.<String>path("code")).isEqualTo("session_revoked");
  }

  @Test
  void whenAnIdTokenWasIssuedBeforeTheLogoutThenRefused() {
    String sid = unique("sid");
    String sub = unique("user");
    long logoutAt = Instant.now().getEpochSecond() - 2;
    assertThat(postLogoutToken(logoutToken(sid, sub, logoutAt)).statusCode()).isEqualTo(200);

    Response response = registerWithIdToken(idToken(sid, sub, logoutAt - 1));

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(409);
  }

  @Test
  void whenAnExplicitRegistrationStartedAfterTheLogoutThenItRegisters() {
    String sid = unique("sid");
    String sub = unique("user");
    long logoutAt = Instant.now().getEpochSecond() - 3;
    assertThat(postLogoutToken(logoutToken(sid, sub, logoutAt)).statusCode()).isEqualTo(200);

    Response after = registerExplicitly(sid, sub, Instant.ofEpochSecond(logoutAt + 2));
    Response before = registerExplicitly(sid, sub, Instant.ofEpochSecond(logoutAt - 1));

    assertThat(after.statusCode()).as("body %s", after.asString()).isEqualTo(201);
    assertThat(before.statusCode()).as("body %s", before.asString()).isEqualTo(409);
  }

  @Test
  void whenASessionStartedAfterASubOnlyLogoutThenItRegisters() {
    String sub = unique("user");
    long logoutAt = Instant.now().getEpochSecond() - 3;
    assertThat(postLogoutToken(logoutToken(null, sub, logoutAt)).statusCode()).isEqualTo(200);

    Response later = registerWithIdToken(idToken(unique("sid"), sub, logoutAt + 2));
    Response earlier = registerWithIdToken(idToken(unique("sid"), sub, logoutAt));

    assertThat(later.statusCode()).as("body %s", later.asString()).isEqualTo(201);
    assertThat(earlier.statusCode()).as("body %s", earlier.asString()).isEqualTo(409);
  }

  @Test
  void whenIssuedAtIsInTheFutureBeyondClockSkewThenBadRequest() {
    Response response =
        registerExplicitly(unique("sid"), unique("user"), Instant.now().plusSeconds(3600));

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(400);
    assertThat(response.<String>path("code")).isEqualTo("invalid_issued_at");
  }

  @Test
  void whenIssuedAtIsNotATimeThenBadRequest() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sessionId", unique("JSESSION"));
    body.put("sid", unique("sid"));
    body.put("issuedAt", "yesterday");

    Response response = post(body);

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(400);
  }

  private String logoutToken(String sid, String sub, long iat) {
    JwtClaims claims = issuer.logoutTokenClaims(CLIENT, sid, sub);
    claims.setIssuedAt(NumericDate.fromSeconds(iat));
    return issuer.sign(claims, "logout+jwt");
  }

  private String idToken(String sid, String sub, long iat) {
    JwtClaims claims = issuer.idTokenClaims(CLIENT, sid, sub);
    claims.setIssuedAt(NumericDate.fromSeconds(iat));
    return issuer.sign(claims);
  }

  private Response registerWithIdToken(String idToken) {
    return post(Map.of("sessionId", unique("JSESSION"), "idToken", idToken));
  }

  private Response registerExplicitly(String sid, String sub, Instant issuedAt) {
    return post(
        Map.of(
            "sessionId",
            unique("JSESSION"),
            "sid",
            sid,
            "sub",
            sub,
            "issuedAt",
            issuedAt.toString()));
  }

  private Response post(Map<String, ?> body) {
    return given()
        .auth()
        .oauth2(issuer.accessToken(CLIENT))
        .contentType(ContentType.JSON)
        .body(body)
        .when()
        .post("/api/v1/sessions");
  }

  /** Logout scope {@code client}, in an application of its own. */
  public static class ClientScope implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
      return Map.of("session-broker.logout.scope", "client");
    }

    @Override
    public void stop() {}
  }
}
