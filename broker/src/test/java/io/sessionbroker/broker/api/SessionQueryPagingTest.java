package io.sessionbroker.broker.api;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.api.ApiTestCalls.adminToken;
import static io.sessionbroker.broker.api.ApiTestCalls.registerOk;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Paging of GET /api/v1/sessions: disjoint, complete, stable pages; bad paging input is 400. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SessionQueryPagingTest {

  private static final int SESSIONS = 5;
  private static final int PAGE = 2;

  @InjectTestIssuer TestIssuer issuer;

  @Test
  void whenPagingByClientIdThenPagesAreDisjointCompleteAndEndWithNullNext() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    Set<String> registered = registerFive(token, () -> unique("sid"), null);

    List<List<String>> pages = readAllPages(token, Map.of("clientId", clientId));

    assertPagesPartition(pages, registered);
  }

  @Test
  void whenPagingByClientIdTwiceThenOrderIsTheSame() {
    String clientId = unique("app");
    String token = issuer.accessToken(clientId);
    registerFive(token, () -> unique("sid"), null);

    List<List<String>> first = readAllPages(token, Map.of("clientId", clientId));
    List<List<String>> second = readAllPages(token, Map.of("clientId", clientId));

    assertThat(second).isEqualTo(first);
  }

  @Test
  void whenPagingBySubThenPagesAreDisjointCompleteStableAndEndWithNullNext() {
    String token = issuer.accessToken("app1");
    String sub = unique("user");
    Set<String> registered = registerFive(token, () -> unique("sid"), sub);

    List<List<String>> pages = readAllPages(token, Map.of("sub", sub));

    assertPagesPartition(pages, registered);
    assertThat(readAllPages(token, Map.of("sub", sub))).isEqualTo(pages);
  }

  @Test
  void whenPagingBySidThenPagesAreDisjointCompleteStableAndEndWithNullNext() {
    String token = issuer.accessToken("app1");
    String sid = unique("sid");
    Set<String> registered = registerFive(token, () -> sid, null);

    List<List<String>> pages = readAllPages(token, Map.of("sid", sid));

    assertPagesPartition(pages, registered);
    assertThat(readAllPages(token, Map.of("sid", sid))).isEqualTo(pages);
  }

  @Test
  void whenAdminPagesByClientIdThenPagesArePartitionOfThatClient() {
    String clientId = unique("app");
    Set<String> registered = registerFive(issuer.accessToken(clientId), () -> unique("sid"), null);

    List<List<String>> pages = readAllPages(adminToken(issuer), Map.of("clientId", clientId));

    assertPagesPartition(pages, registered);
  }

  @Test
  void whenCursorIsNotBase64ThenBadRequestProblem() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("cursor", "not a cursor!")
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(400)
        .header("Content-Type", startsWith("application/problem+json"))
        .body("status", equalTo(400));
  }

  @Test
  void whenCursorDecodesToSomethingElseThenBadRequest() {
    String cursor =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("just-text".getBytes(StandardCharsets.UTF_8));

    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("sub", "u-1")
        .queryParam("cursor", cursor)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(400);
  }

  @Test
  void whenLimitIsZeroThenBadRequest() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("limit", 0)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(400)
        .header("Content-Type", startsWith("application/problem+json"));
  }

  @Test
  void whenLimitIsAboveTheMaximumThenBadRequest() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("limit", 1001)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(400);
  }

  @Test
  void whenLimitIsTheMaximumThenOk() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("sid", unique("sid"))
        .queryParam("limit", 1000)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200);
  }

  @Test
  void whenLimitIsNotANumberThenBadRequest() {
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .queryParam("limit", "ten")
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(400);
  }

  private static Set<String> registerFive(String token, Supplier<String> sids, String sub) {
    Set<String> sessionIds = new HashSet<>();
    for (int i = 0; i < SESSIONS; i++) {
      String sessionId = unique("S" + i);
      registerOk(token, sessionId, sids.get(), sub);
      sessionIds.add(sessionId);
    }
    return sessionIds;
  }

  /** Follows {@code next} from the first page to the last, collecting each page's session ids. */
  private static List<List<String>> readAllPages(String token, Map<String, String> filter) {
    List<List<String>> pages = new ArrayList<>();
    String cursor = null;
    do {
      Map<String, Object> params = new LinkedHashMap<>(filter);
      params.put("limit", PAGE);
      if (cursor != null) {
        params.put("cursor", cursor);
      }
      JsonPath page =
          given()
              .auth()
              .oauth2(token)
              .queryParams(params)
              .when()
              .get("/api/v1/sessions")
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      pages.add(page.getList("items.sessionId", String.class));
      cursor = page.getString("next");
      assertThat(pages).as("pages before next is null").hasSizeLessThanOrEqualTo(SESSIONS);
    } while (cursor != null);
    return pages;
  }

  private static void assertPagesPartition(List<List<String>> pages, Set<String> registered) {
    assertThat(pages).as("page sizes").extracting(List::size).containsExactly(2, 2, 1);
    List<String> all = pages.stream().flatMap(List::stream).toList();
    assertThat(all).as("pages are disjoint").doesNotHaveDuplicates();
    assertThat(all).as("union of pages").containsExactlyInAnyOrderElementsOf(registered);
  }
}
