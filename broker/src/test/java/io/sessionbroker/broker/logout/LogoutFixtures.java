package io.sessionbroker.broker.logout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands.RedisSubscriber;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.testsupport.TestIssuer;
import io.vertx.mutiny.redis.client.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;

/**
 * What the logout tests share: posting logout tokens, registering and reading sessions through the
 * REST API, and looking at the client streams and channels in the test's real Redis (SPEC §3.3).
 */
final class LogoutFixtures {

  static final ObjectMapper JSON = new ObjectMapper();

  private final RedisDataSource redis;

  LogoutFixtures(RedisDataSource redis) {
    this.redis = redis;
  }

  /** A fresh id, so tests sharing one Redis never see each other's sessions. */
  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /** POSTs a logout token as Keycloak does: form field {@code logout_token}. */
  static io.restassured.response.Response postLogoutToken(String token) {
    return given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", token)
        .when()
        .post("/backchannel-logout");
  }

  /** Registers {@code sessionId} of {@code clientId} under {@code sid}; returns the HTTP status. */
  static int register(
      TestIssuer issuer, String clientId, String sessionId, String sid, String sub) {
    return register(issuer, clientId, sessionId, sid, sub, null);
  }

  /**
   * Registers {@code sessionId} of {@code clientId} under {@code sid}, started at {@code issuedAt}
   * (ISO-8601; null: the time of receipt); returns the HTTP status.
   */
  static int register(
      TestIssuer issuer,
      String clientId,
      String sessionId,
      String sid,
      String sub,
      String issuedAt) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sessionId", sessionId);
    body.put("sid", sid);
    if (sub != null) {
      body.put("sub", sub);
    }
    if (issuedAt != null) {
      body.put("issuedAt", issuedAt);
    }
    return given()
        .auth()
        .oauth2(issuer.accessToken(clientId))
        .contentType(ContentType.JSON)
        .body(body)
        .when()
        .post("/api/v1/sessions")
        .then()
        .extract()
        .statusCode();
  }

  /** Registers and fails the test unless the broker answered 201. */
  static void registerActive(
      TestIssuer issuer, String clientId, String sessionId, String sid, String sub) {
    assertThat(register(issuer, clientId, sessionId, sid, sub))
        .as("registration of %s/%s under sid %s", clientId, sessionId, sid)
        .isEqualTo(201);
  }

  /** The {@code status} of a registered session as its own client reads it. */
  static String sessionStatus(TestIssuer issuer, String clientId, String sessionId) {
    return given()
        .auth()
        .oauth2(issuer.accessToken(clientId))
        .when()
        .get("/api/v1/sessions/" + sessionId)
        .then()
        .statusCode(200)
        .extract()
        .path("status");
  }

  /** An entry of a client stream: its id and the JSON of its single field {@code event}. */
  /**
   * One entry of a client's stream.
   *
   * @param stored the value of its field, as the broker stored it
   * @param payload the event it holds, as the broker published it ({@link EventStreams#event})
   */
  record StreamEntry(String id, String field, String stored, String payload) {

    JsonNode json() {
      try {
        return JSON.readTree(payload);
      } catch (IOException e) {
        throw new UncheckedIOException("stream entry " + id + " is not JSON: " + payload, e);
      }
    }
  }

  static String streamKey(String alias, String clientId) {
    return "sb:events:" + alias + ":" + clientId;
  }

  static String channel(String alias, String clientId) {
    return "sb:revocations:" + alias + ":" + clientId;
  }

  /** Every entry of the client's stream, oldest first. */
  List<StreamEntry> events(String alias, String clientId) {
    Response entries = redis.execute("XRANGE", streamKey(alias, clientId), "-", "+");
    List<StreamEntry> result = new ArrayList<>();
    if (entries == null) {
      return result;
    }
    for (Response entry : entries) {
      Response fields = entry.get(1);
      assertThat(fields.size()).as("fields of stream entry %s", entry.get(0)).isEqualTo(2);
      result.add(
          new StreamEntry(
              entry.get(0).toString(),
              fields.get(0).toString(),
              fields.get(1).toString(),
              EventStreams.event(entry)));
    }
    return result;
  }

  /** The entries of the client's stream whose event carries this {@code sid}. */
  List<StreamEntry> eventsForSid(String alias, String clientId, String sid) {
    return events(alias, clientId).stream()
        .filter(e -> sid.equals(e.json().path("sid").asText(null)))
        .toList();
  }

  /** The entries of the client's stream whose event carries this {@code sub}. */
  List<StreamEntry> eventsForSub(String alias, String clientId, String sub) {
    return events(alias, clientId).stream()
        .filter(e -> sub.equals(e.json().path("sub").asText(null)))
        .toList();
  }

  long streamLength(String alias, String clientId) {
    return redis.execute("XLEN", streamKey(alias, clientId)).toLong();
  }

  /** Subscribes to a client channel and waits until Redis counts the subscription. */
  Subscription subscribe(String alias, String clientId) {
    String name = channel(alias, clientId);
    List<String> messages = new CopyOnWriteArrayList<>();
    RedisSubscriber subscriber = redis.pubsub(String.class).subscribe(name, messages::add);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> redis.execute("PUBSUB", "NUMSUB", name).get(1).toLong() > 0);
    return new Subscription(subscriber, messages);
  }

  /** A live subscription; close it at the end of the test. */
  record Subscription(RedisSubscriber subscriber, List<String> messages) implements AutoCloseable {

    List<String> messagesMentioning(String text) {
      return messages.stream().filter(m -> m.contains(text)).toList();
    }

    @Override
    public void close() {
      subscriber.unsubscribe();
    }
  }
}
