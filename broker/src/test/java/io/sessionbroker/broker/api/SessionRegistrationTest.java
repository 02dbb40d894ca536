package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SessionRegistrationTest {

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenAppRegistersWithIdTokenThenRecordIsStoredAndReadable() {
    String sid = UUID.randomUUID().toString();
    String sessionId = "JSESSION-" + UUID.randomUUID();
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", sessionId, "idToken", issuer.idToken("app1", sid, "user-1")))
        .when()
        .post("/api/v1/sessions")
        .then()
        .statusCode(201)
        .body("issuer", equalTo("test"))
        .body("clientId", equalTo("app1"))
        .body("sid", equalTo(sid))
        .body("sub", equalTo("user-1"))
        .body("status", equalTo("active"))
        .body("expiresAt", notNullValue());

    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .when()
        .get("/api/v1/sessions/" + sessionId)
        .then()
        .statusCode(200)
        .body("sid", equalTo(sid));
  }

  @Test
  void whenNoTokenThenUnauthorized() {
    given().when().get("/api/v1/sessions/any").then().statusCode(401);
  }
}
