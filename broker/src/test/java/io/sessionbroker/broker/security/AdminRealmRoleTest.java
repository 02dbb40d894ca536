package io.sessionbroker.broker.security;

import static io.restassured.RestAssured.given;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §3.2: the admin is the holder of the <em>realm role</em> {@code session-broker-admin}
 * ({@code realm_access.roles}). quarkus-oidc's default role mapping also reads the top-level {@code
 * groups} and {@code roles} claims, so a token whose {@code groups} (Keycloak's Group Membership
 * mapper: a group of that name) or {@code roles} (any user-attribute or hard-coded mapper with that
 * claim name) holds the name gets admin, without the realm role; even an end user's access token,
 * which is otherwise no API caller at all.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class AdminRealmRoleTest {

  private static final String ADMIN = "session-broker-admin";

  @InjectTestIssuer TestIssuer issuer;

  @ParameterizedTest
  @ValueSource(strings = {"groups", "roles"})
  void whenAnEndUserTokenNamesTheAdminRoleOutsideRealmRolesThenItIsNoAdmin(String claim) {
    JwtClaims claims = issuer.userAccessTokenClaims("app1", UUID.randomUUID().toString());
    claims.setClaim(claim, List.of(ADMIN));

    given()
        .auth()
        .oauth2(issuer.sign(claims))
        .queryParam("clientId", "app2")
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(403);
  }

  @ParameterizedTest
  @ValueSource(strings = {"groups", "roles"})
  void whenAnAppTokenNamesTheAdminRoleOutsideRealmRolesThenItMayNotRevoke(String claim) {
    JwtClaims claims = issuer.accessTokenClaims("app1");
    claims.setClaim(claim, List.of(ADMIN));

    given()
        .auth()
        .oauth2(issuer.sign(claims))
        .contentType("application/json")
        .body(Map.of("sid", "sid-" + UUID.randomUUID()))
        .when()
        .post("/api/v1/revocations")
        .then()
        .statusCode(403);
  }
}
