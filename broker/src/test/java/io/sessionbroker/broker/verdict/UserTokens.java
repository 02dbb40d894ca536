package io.sessionbroker.broker.verdict;

import io.sessionbroker.testsupport.TestIssuer;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;

/** Keycloak-shaped access tokens of end users, minted by an in-test issuer. */
final class UserTokens {

  private UserTokens() {}

  /** A fresh id, so tests sharing one Redis never see each other's revocations. */
  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /** Claims of a user's access token issued to {@code clientId} in SSO session {@code sid}. */
  static JwtClaims claims(TestIssuer issuer, String clientId, String sid, String sub) {
    JwtClaims claims = issuer.accessTokenClaims(clientId);
    claims.setSubject(sub);
    claims.setClaim("sid", sid);
    return claims;
  }

  /** A signed access token of a user, issued now, valid for five minutes. */
  static String accessToken(TestIssuer issuer, String clientId, String sid, String sub) {
    return issuer.sign(claims(issuer, clientId, sid, sub));
  }

  /** The same, issued at {@code iatSeconds} and valid for {@code lifeSeconds}. */
  static String accessToken(
      TestIssuer issuer,
      String clientId,
      String sid,
      String sub,
      long iatSeconds,
      long lifeSeconds) {
    JwtClaims claims = claims(issuer, clientId, sid, sub);
    claims.setIssuedAt(NumericDate.fromSeconds(iatSeconds));
    claims.setExpirationTime(NumericDate.fromSeconds(iatSeconds + lifeSeconds));
    return issuer.sign(claims);
  }
}
