package io.sessionbroker.examples.servlet.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionbroker.testsupport.TestIssuer;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdTokenVerifierTest {

  private static final String NONCE = "n-0S6_WzA2Mj";

  private static TestIssuer issuer;
  private static IdTokenVerifier verifier;

  @BeforeAll
  static void startIssuer() {
    issuer = TestIssuer.start("demo");
    verifier =
        new IdTokenVerifier(
            issuer.url(),
            "app1",
            new HttpsJwksVerificationKeyResolver(new HttpsJwks(issuer.jwksUrl())));
  }

  @AfterAll
  static void stopIssuer() {
    issuer.close();
  }

  private static JwtClaims validClaims() {
    JwtClaims claims = issuer.idTokenClaims("app1", "sid-1", "user-1");
    claims.setClaim("nonce", NONCE);
    claims.setClaim("preferred_username", "alice");
    claims.setClaim("name", "Alice Liddell");
    return claims;
  }

  @Test
  void whenTokenIsValidThenItsClaimsAreReturned() {
    VerifiedIdToken token = verifier.verify(issuer.sign(validClaims()), NONCE);

    assertThat(token.subject()).isEqualTo("user-1");
    assertThat(token.sid()).isEqualTo("sid-1");
    assertThat(token.username()).isEqualTo("alice");
    assertThat(token.name()).isEqualTo("Alice Liddell");
    assertThat(token.authTime()).isNotNull();
  }

  @Test
  void whenNonceDiffersThenTokenIsRejected() {
    String token = issuer.sign(validClaims());

    assertThatThrownBy(() -> verifier.verify(token, "another-nonce"))
        .isInstanceOf(SignInException.class)
        .hasMessageContaining("nonce");
  }

  @Test
  void whenAudienceIsAnotherClientThenTokenIsRejected() {
    JwtClaims claims = validClaims();
    claims.setAudience("app2");
    claims.setClaim("azp", "app2");

    assertThatThrownBy(() -> verifier.verify(issuer.sign(claims), NONCE))
        .isInstanceOf(SignInException.class)
        .hasMessageContaining("Audience");
  }

  @Test
  void whenAuthorizedPartyIsAnotherClientThenTokenIsRejected() {
    JwtClaims claims = validClaims();
    claims.setAudience("app1", "app2");
    claims.setClaim("azp", "app2");

    assertThatThrownBy(() -> verifier.verify(issuer.sign(claims), NONCE))
        .isInstanceOf(SignInException.class)
        .hasMessageContaining("azp");
  }

  @Test
  void whenTokenExpiredThenTokenIsRejected() {
    JwtClaims claims = validClaims();
    claims.setExpirationTime(NumericDate.fromSeconds(NumericDate.now().getValue() - 120));

    assertThatThrownBy(() -> verifier.verify(issuer.sign(claims), NONCE))
        .isInstanceOf(SignInException.class)
        .hasMessageContaining("no longer valid");
  }

  @Test
  void whenIssuerDiffersThenTokenIsRejected() {
    JwtClaims claims = validClaims();
    claims.setIssuer("http://127.0.0.1:1/realms/other");

    assertThatThrownBy(() -> verifier.verify(issuer.sign(claims), NONCE))
        .isInstanceOf(SignInException.class)
        .hasMessageContaining("Issuer");
  }

  @Test
  void whenSignedWithAnUnpublishedKeyThenTokenIsRejected() {
    String token = TestIssuer.sign(validClaims(), "JWT", TestIssuer.unpublishedKey());

    assertThatThrownBy(() -> verifier.verify(token, NONCE)).isInstanceOf(SignInException.class);
  }
}
