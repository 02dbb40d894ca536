package io.sessionbroker.broker.store;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3.2: "no page costs more than a bounded number of Redis calls". A query by {@code sub}
 * reads every sid of the user (one HGETALL each) before paging, whatever {@code limit} is. An app
 * can grow that number itself: the explicit registration form takes any sid with any sub.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class UserQueryRedisCallsTest {

  /** The pager's own bound for one page: limit + 1024 buckets + 64 (ClientIndexPager). */
  private static final int PAGE_BOUND_BEYOND_LIMIT = 1024 + 64;

  /** More sids than that bound. */
  private static final int SIDS = PAGE_BOUND_BEYOND_LIMIT + 200;

  @InjectTestIssuer TestIssuer issuer;

  @InjectRedis RedisServer redis;

  @Test
  void whenAUserHasManySidsThenOnePageOfAQueryBySubStillCostsBoundedRedisCalls() {
    String app = issuer.accessToken("app1");
    String sub = "victim-" + UUID.randomUUID();
    for (int i = 0; i < SIDS; i++) {
      given()
          .auth()
          .oauth2(app)
          .contentType(ContentType.JSON)
          .body(Map.of("sessionId", "S" + i + "-" + sub, "sid", "sid" + i + "-" + sub, "sub", sub))
          .when()
          .post("/api/v1/sessions")
          .then()
          .statusCode(201);
    }
    long before = totalCommands();

    given()
        .auth()
        .oauth2(app)
        .queryParam("sub", sub)
        .queryParam("limit", 1)
        .when()
        .get("/api/v1/sessions")
        .then()
        .statusCode(200)
        .body("items", hasSize(1));

    // Minus the INFO call that reads the counters.
    long spent = totalCommands() - before - 1;
    assertThat(spent).isLessThanOrEqualTo(1 + PAGE_BOUND_BEYOND_LIMIT);
  }

  /** Commands Redis has executed so far (INFO commandstats, one bulk reply). */
  private long totalCommands() {
    long total = 0;
    for (String line : info("commandstats").split("\r?\n")) {
      int calls = line.indexOf("calls=");
      if (line.startsWith("cmdstat_") && calls > 0) {
        total += Long.parseLong(line.substring(calls + 6, line.indexOf(',', calls)));
      }
    }
    return total;
  }

  private String info(String section) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), redis.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(("INFO " + section + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      StringBuilder header = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c != '\r') {
          header.append((char) c);
        }
      }
      byte[] bulk = new byte[Integer.parseInt(header.substring(1))];
      in.readFully(bulk);
      return new String(bulk, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
