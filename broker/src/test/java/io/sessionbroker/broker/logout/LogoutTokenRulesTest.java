package io.sessionbroker.broker.logout;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.logout.LogoutFixtures.postLogoutToken;
import static io.sessionbroker.broker.logout.LogoutFixtures.registerActive;
import static io.sessionbroker.broker.logout.LogoutFixtures.sessionStatus;
import static io.sessionbroker.broker.logout.LogoutFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sessionbroker.broker.logout.LogoutFixtures.Subscription;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One negative test per rule of OIDC Back-Channel Logout 1.0 §2.6 and of SPEC §4: each bad request
 * is answered with an OAuth error naming the rule (never echoing the token), and changes nothing: a
 * session registered under the token's {@code sid} stays active, the client's stream gets no entry
 * and nothing is published on its channel.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class LogoutTokenRulesTest {

  private static final String CLIENT = "app1";
  private static final int MAX_BODY_BYTES = 16384;

  @InjectTestIssuer("test")
  TestIssuer issuer;

  @InjectTestIssuer("other")
  TestIssuer otherIssuer;

  @Inject RedisDataSource redis;

  private LogoutFixtures fixtures;
  private String sid;
  private String sub;
  private String sessionId;
  private long streamLengthBefore;
  private Subscription channel;

  @BeforeEach
  void registerSessionUnderFreshSid() {
    fixtures = new LogoutFixtures(redis);
    sid = unique("sid");
    sub = unique("user");
    sessionId = unique("JSESSION");
    registerActive(issuer, CLIENT, sessionId, sid, sub);
    streamLengthBefore = fixtures.streamLength("test", CLIENT);
    channel = fixtures.subscribe("test", CLIENT);
  }

  @AfterEach
  void closeChannel() {
    channel.close();
  }

  @Test
  void whenAlgIsNoneThenRejectedNamingAlg() {
    String token = unsigned(validClaims());

    assertRejected(postLogoutToken(token), 400, "alg:", token);
    assertNothingChanged();
  }

  @Test
  void whenSignedWithHs256UsingThePublicKeyAsSecretThenRejectedNamingAlg() {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(validClaims().toJson());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
    jws.setKeyIdHeaderValue(issuer.signingKey().getKeyId());
    jws.setHeader("typ", "logout+jwt");
    jws.setKey(new HmacKey(issuer.signingKey().getPublicKey().getEncoded()));
    String token = compact(jws);

    assertRejected(postLogoutToken(token), 400, "alg:", token);
    assertNothingChanged();
  }

  @Test
  void whenSignedWithUnpublishedKeyThenRejectedNamingSignature() {
    String token = TestIssuer.sign(validClaims(), "logout+jwt", TestIssuer.unpublishedKey());

    assertRejected(postLogoutToken(token), 400, "signature:", token);
    assertNothingChanged();
  }

  @Test
  void whenIssuerIsNotConfiguredThenRejectedNamingIss() {
    String token;
    try (TestIssuer stranger = TestIssuer.start("stranger")) {
      token = stranger.logoutToken(CLIENT, sid, sub);
      assertRejected(postLogoutToken(token), 400, "iss:", token);
    }
    assertNothingChanged();
  }

  @Test
  void whenIssIsTheIssuerUrlWithATrailingSlashThenRejectedNamingIss() {
    JwtClaims claims = validClaims();
    claims.setIssuer(issuer.url() + "/");
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "iss:", token);
    assertNothingChanged();
  }

  @Test
  void whenIssDiffersInCaseThenRejectedNamingIss() {
    JwtClaims claims = validClaims();
    claims.setIssuer(issuer.url().replace("/realms/", "/REALMS/"));
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "iss:", token);
    assertNothingChanged();
  }

  @Test
  void whenAnIdTokensIssIsTheIssuerUrlWithATrailingSlashThenRegistrationRefused() {
    JwtClaims claims = issuer.idTokenClaims(CLIENT, unique("sid"), sub);
    claims.setIssuer(issuer.url() + "/");

    Response response = registerWithIdToken(issuer.sign(claims));

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(400);
    assertThat(response.jsonPath().getString("detail")).contains("iss:");
  }

  @Test
  void whenALogoutTokenWithoutTypClaimIsRegisteredAsIdTokenThenRefused() {
    JwtClaims claims = validClaims();
    claims.unsetClaim("typ");
    String token = issuer.sign(claims, "JWT");

    Response response = registerWithIdToken(token);

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(400);
    assertThat(response.jsonPath().getString("detail")).contains("events");
  }

  @Test
  void whenATokenWithLogoutHeaderTypIsRegisteredAsIdTokenThenRefused() {
    JwtClaims claims = issuer.idTokenClaims(CLIENT, sid, sub);
    claims.unsetClaim("typ");
    String token = issuer.sign(claims, "logout+jwt");

    Response response = registerWithIdToken(token);

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(400);
    assertThat(response.jsonPath().getString("detail")).contains("typ");
  }

  @Test
  void whenAnAccessTokenIsRegisteredAsIdTokenThenRefused() {
    JwtClaims claims = issuer.accessTokenClaims(CLIENT);
    claims.setAudience(CLIENT);
    claims.setClaim("sid", sid);

    Response response = registerWithIdToken(issuer.sign(claims));

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(400);
    assertThat(response.jsonPath().getString("detail")).contains("typ");
  }

  private Response registerWithIdToken(String idToken) {
    return given()
        .auth()
        .oauth2(issuer.accessToken(CLIENT))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", unique("JSESSION"), "idToken", idToken))
        .when()
        .post("/api/v1/sessions");
  }

  @Test
  void whenAudIsMissingThenRejectedNamingAud() {
    JwtClaims claims = validClaims();
    claims.unsetClaim("aud");
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "aud: missing", token);
    assertNothingChanged();
  }

  @Test
  void whenAudIsNotInTheIssuersAllowListThenRejectedNamingAud() {
    String otherSessionId = unique("JSESSION");
    registerActive(otherIssuer, "app1", otherSessionId, sid, sub);
    long otherStreamBefore = fixtures.streamLength("other", "app1");
    String token = otherIssuer.logoutToken("app9", sid, sub);

    assertRejected(postLogoutToken(token), 400, "allow-list", token);
    assertThat(sessionStatus(otherIssuer, "app1", otherSessionId)).isEqualTo("active");
    assertThat(fixtures.streamLength("other", "app9")).isZero();
    assertThat(fixtures.streamLength("other", "app1")).isEqualTo(otherStreamBefore);
    assertNothingChanged();
  }

  @Test
  void whenExpiredThenRejectedNamingExp() {
    JwtClaims claims = validClaims();
    claims.setExpirationTime(NumericDate.fromSeconds(nowSeconds() - 300));
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "exp: the token has expired", token);
    assertNothingChanged();
  }

  @Test
  void whenIssuedInTheFutureThenRejectedNamingIat() {
    JwtClaims claims = validClaims();
    claims.setIssuedAt(NumericDate.fromSeconds(nowSeconds() + 300));
    claims.setExpirationTime(NumericDate.fromSeconds(nowSeconds() + 600));
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "iat: in the future", token);
    assertNothingChanged();
  }

  @Test
  void whenOlderThanMaxTokenAgeThenRejectedNamingIat() {
    JwtClaims claims = validClaims();
    claims.setIssuedAt(NumericDate.fromSeconds(nowSeconds() - 600));
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "iat: older than", token);
    assertNothingChanged();
  }

  @Test
  void whenIatIsMissingThenRejectedNamingIat() {
    JwtClaims claims = validClaims();
    claims.unsetClaim("iat");
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "iat: missing", token);
    assertNothingChanged();
  }

  @Test
  void whenExpIsMissingThenRejectedNamingExp() {
    JwtClaims claims = validClaims();
    claims.unsetClaim("exp");
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "exp: missing", token);
    assertNothingChanged();
  }

  @Test
  void whenJtiIsMissingThenRejectedNamingJti() {
    JwtClaims claims = validClaims();
    claims.unsetClaim("jti");
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "jti: missing", token);
    assertNothingChanged();
  }

  @Test
  void whenEventsIsMissingThenRejectedNamingEvents() {
    JwtClaims claims = validClaims();
    claims.unsetClaim("events");
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "events:", token);
    assertNothingChanged();
  }

  @Test
  void whenEventsIsAStringThenRejectedNamingEvents() {
    JwtClaims claims = validClaims();
    claims.setClaim("events", TestIssuer.BACKCHANNEL_LOGOUT_EVENT);
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "events: missing or not a JSON object", token);
    assertNothingChanged();
  }

  @Test
  void whenBackchannelLogoutEventValueIsNotAnObjectThenRejectedNamingEvents() {
    JwtClaims claims = validClaims();
    claims.setClaim("events", Map.of(TestIssuer.BACKCHANNEL_LOGOUT_EVENT, "logout"));
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "must be a JSON object", token);
    assertNothingChanged();
  }

  @Test
  void whenEventsLacksTheBackchannelLogoutMemberThenRejectedNamingEvents() {
    JwtClaims claims = validClaims();
    claims.setClaim("events", Map.of("http://schemas.openid.net/event/other", Map.of()));
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "events: has no member", token);
    assertNothingChanged();
  }

  @Test
  void whenNonceIsPresentThenRejectedNamingNonce() {
    JwtClaims claims = validClaims();
    claims.setClaim("nonce", "n-0S6_WzA2Mj");
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "nonce:", token);
    assertNothingChanged();
  }

  @Test
  void whenTypClaimIsIdThenRejectedNamingTypClaim() {
    JwtClaims claims = validClaims();
    claims.setClaim("typ", "ID");
    String token = issuer.sign(claims, "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "typ claim:", token);
    assertNothingChanged();
  }

  @Test
  void whenTypHeaderIsAccessTokenTypeThenRejectedNamingTypHeader() {
    String token = issuer.sign(validClaims(), "at+jwt");

    assertRejected(postLogoutToken(token), 400, "typ header:", token);
    assertNothingChanged();
  }

  @Test
  void whenNeitherSubNorSidThenRejectedNamingSubSid() {
    String token = issuer.sign(issuer.logoutTokenClaims(CLIENT, null, null), "logout+jwt");

    assertRejected(postLogoutToken(token), 400, "sub/sid:", token);
    assertNothingChanged();
  }

  @Test
  void whenBodyIsLargerThanTheLimitThenPayloadTooLarge() {
    String token = issuer.logoutToken(CLIENT, sid, sub);
    String padding = "x".repeat(MAX_BODY_BYTES);
    Response response =
        given()
            .contentType(ContentType.URLENC)
            .body("logout_token=" + token + "&padding=" + padding)
            .when()
            .post("/backchannel-logout");

    assertRejected(response, 413, "body larger than", token);
    assertNothingChanged();
  }

  @Test
  void whenContentTypeIsJsonThenUnsupportedMediaType() {
    String token = issuer.logoutToken(CLIENT, sid, sub);
    Response response =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("logout_token", token))
            .when()
            .post("/backchannel-logout");

    assertRejected(response, 415, "Content-Type", token);
    assertNothingChanged();
  }

  @Test
  void whenContentTypeOnlyStartsLikeAFormThenUnsupportedMediaType() {
    String token = issuer.logoutToken(CLIENT, sid, sub);
    Response response =
        given()
            .config(
                io.restassured.RestAssured.config()
                    .encoderConfig(
                        io.restassured.config.EncoderConfig.encoderConfig()
                            .encodeContentTypeAs(
                                "application/x-www-form-urlencodedJUNK", ContentType.TEXT)))
            .contentType("application/x-www-form-urlencodedJUNK")
            .body("logout_token=" + token)
            .when()
            .post("/backchannel-logout");

    assertRejected(response, 415, "Content-Type", token);
    assertNothingChanged();
  }

  @Test
  void whenContentTypeHasACharsetThenTheFormIsRead() {
    Response response =
        given()
            .config(
                io.restassured.RestAssured.config()
                    .encoderConfig(
                        io.restassured.config.EncoderConfig.encoderConfig()
                            .appendDefaultContentCharsetToContentTypeIfUndefined(false)))
            .contentType("Application/X-WWW-Form-Urlencoded; charset=UTF-8")
            .body("logout_token=" + issuer.logoutToken(CLIENT, sid, sub))
            .when()
            .post("/backchannel-logout");

    assertThat(response.statusCode()).as("body %s", response.asString()).isEqualTo(200);
  }

  @Test
  void whenLogoutTokenFieldIsMissingThenRejectedNamingTheField() {
    Response response =
        given()
            .contentType(ContentType.URLENC)
            .formParam("token", issuer.logoutToken(CLIENT, sid, sub))
            .when()
            .post("/backchannel-logout");

    assertRejected(response, 400, "logout_token is missing", "(no token)");
    assertNothingChanged();
  }

  @Test
  void whenLogoutTokenFieldIsRepeatedThenRejectedNamingRepetition() {
    String token = issuer.logoutToken(CLIENT, sid, sub);
    Response response =
        given()
            .contentType(ContentType.URLENC)
            .body("logout_token=" + token + "&logout_token=" + token)
            .when()
            .post("/backchannel-logout");

    assertRejected(response, 400, "logout_token is repeated", token);
    assertNothingChanged();
  }

  @Test
  void whenATokenIsRejectedThenNoLogRecordContainsIt() {
    JwtClaims claims = validClaims();
    claims.setClaim("nonce", "n-0S6_WzA2Mj");
    String token = issuer.sign(claims, "logout+jwt");
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(
                record.getMessage()
                    + " "
                    + Arrays.toString(record.getParameters())
                    + " "
                    + record.getThrown());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    capture.setLevel(Level.ALL);
    java.util.logging.Logger brokerLog = java.util.logging.Logger.getLogger("io.sessionbroker");
    brokerLog.addHandler(capture);
    try {
      assertThat(postLogoutToken(token).statusCode()).isEqualTo(400);
    } finally {
      brokerLog.removeHandler(capture);
    }

    assertThat(logged).as("the rejection is logged (DEBUG in tests)").isNotEmpty();
    String signature = token.substring(token.lastIndexOf('.') + 1);
    assertThat(logged).noneMatch(line -> line.contains(token) || line.contains(signature));
  }

  private JwtClaims validClaims() {
    return issuer.logoutTokenClaims(CLIENT, sid, sub);
  }

  private static long nowSeconds() {
    return Instant.now().getEpochSecond();
  }

  private static String unsigned(JwtClaims claims) {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
    jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
    jws.setHeader("typ", "logout+jwt");
    return compact(jws);
  }

  private static String compact(JsonWebSignature jws) {
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException("could not build the test token", e);
    }
  }

  private static void assertRejected(
      Response response, int status, String ruleFragment, String token) {
    assertThat(response.statusCode()).as("status; body %s", response.asString()).isEqualTo(status);
    assertThat(response.header("Cache-Control")).isEqualTo("no-store");
    assertThat(response.contentType()).startsWith("application/json");
    assertThat(response.jsonPath().getString("error")).isEqualTo("invalid_request");
    String description = response.jsonPath().getString("error_description");
    assertThat(description).contains(ruleFragment);
    assertThat(description).doesNotContain(token);
    // No part of the token may leak either (header, payload or signature segment).
    Arrays.stream(token.split("\\."))
        .filter(part -> part.length() > 8)
        .forEach(part -> assertThat(description).doesNotContain(part));
  }

  private void assertNothingChanged() {
    assertThat(sessionStatus(issuer, CLIENT, sessionId)).isEqualTo("active");
    assertThat(fixtures.streamLength("test", CLIENT)).isEqualTo(streamLengthBefore);
    assertThat(fixtures.eventsForSid("test", CLIENT, sid)).isEmpty();
    // A publish happens before the answer; give the subscriber connection a moment to show one.
    sleep(150);
    assertThat(channel.messagesMentioning(sid)).isEmpty();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
