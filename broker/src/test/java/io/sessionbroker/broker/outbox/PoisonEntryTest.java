package io.sessionbroker.broker.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.EventStreams;
import io.sessionbroker.broker.testing.InjectRedis;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5: a journal entry that Redis refuses for good ({@code NOPERM}: the broker's ACL user may
 * not write the event stream of {@code forbidden-*} clients) goes to the dead-letter file, is
 * logged at ERROR and counted, and never holds back the entries behind it; a revocation whose
 * events fail after its registry changes is journaled, never dropped.
 */
@QuarkusTest
@WithTestResource(AclTestResources.class)
class PoisonEntryTest extends BrokerLogCapturingTest {

  private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");
  private static final Pattern DEAD_LETTERS =
      Pattern.compile("(?m)^sessionbroker_outbox_dead_letters_total(?:\\{[^}]*\\})? ([0-9.E]+)$");

  @InjectRedis RedisServer redis;
  @InjectTestIssuer TestIssuer issuer;

  // Health and metrics are on the management interface (relative to its root path, /q).
  @TestHTTPResource(value = "health/ready", management = true)
  URL ready;

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @Test
  void whenAJournaledEntryIsRefusedForGoodThenTheEntriesBehindItStillReachRedis() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String okClient = "ok-" + run;
    String forbiddenClient = "forbidden-" + run;
    String poisonSid = "poison-" + UUID.randomUUID();
    List<String> before = List.of(UUID.randomUUID().toString());
    List<String> behind = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
    double deadLettersBefore = deadLetterMetric();
    List<String> tokens = new ArrayList<>();

    redis.stop();
    try {
      assertThat(logout(okClient, before.get(0), tokens)).isEqualTo(200);
      assertThat(logout(forbiddenClient, poisonSid, tokens)).isEqualTo(200);
      for (String sid : behind) {
        assertThat(logout(okClient, sid, tokens)).isEqualTo(200);
      }
    } finally {
      redis.restart();
    }

    List<String> all = new ArrayList<>(before);
    all.addAll(behind);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(streamSids(okClient)).containsExactlyElementsOf(all));

    String deadLetters = Files.readString(deadLetterFile());
    assertThat(deadLetters).contains(poisonSid).contains(forbiddenClient).contains("NOPERM");
    assertThat(deadLetters.lines().filter(line -> line.contains(okClient))).isEmpty();
    assertErrorLoggedWithoutTokens(tokens);
    assertThat(deadLetterMetric()).isEqualTo(deadLettersBefore + 1);
    String readiness = given().get(ready).then().statusCode(200).extract().asString();
    assertThat(readiness)
        .as("ready, and the dead letters shown")
        .containsPattern("\"deadLetters\"\\s*:\\s*[1-9]");
    System.out.printf(
        "Poison entry: behind it delivered=%d of %d, dead letters +%.0f%n",
        streamSids(okClient).size() - before.size(),
        behind.size(),
        deadLetterMetric() - deadLettersBefore);
  }

  @Test
  void whenTheEventsOfARevocationFailForGoodAfterItsRegistryChangesThenTheyAreNotDropped()
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String forbiddenClient = "forbidden-" + run;
    String okClient = "ok-" + run;
    String sid = "partial-" + UUID.randomUUID();
    String after = UUID.randomUUID().toString();
    double deadLettersBefore = deadLetterMetric();
    List<String> tokens = new ArrayList<>();

    // revoke_sid runs (the sid hash is allowed), then the event append is refused (NOPERM).
    assertThat(logout(forbiddenClient, sid, tokens))
        .as("accepted: the sid is revoked")
        .isEqualTo(200);
    assertThat(redis.command("HEXISTS sb:sid:{test:" + sid + "} !rev")).isEqualTo(":1");
    assertThat(logout(okClient, after, tokens)).isEqualTo(200);

    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              assertThat(Files.readString(deadLetterFile())).contains(sid);
              assertThat(streamSids(okClient)).containsExactly(after);
            });
    String deadLetter =
        Files.readString(deadLetterFile()).lines().filter(l -> l.contains(sid)).findFirst().get();
    assertThat(deadLetter)
        .as("the owed event itself is kept")
        .contains("EVENTS")
        .contains("SESSION_REVOKED")
        .contains(forbiddenClient)
        .contains("NOPERM");
    assertErrorLoggedWithoutTokens(tokens);
    assertThat(deadLetterMetric()).isEqualTo(deadLettersBefore + 1);
  }

  private void assertErrorLoggedWithoutTokens(List<String> tokens) {
    List<String> errors =
        logged.stream()
            .filter(r -> r.getLevel().intValue() >= Level.SEVERE.intValue())
            .map(r -> formatted(r))
            .filter(text -> text.contains("dead letters"))
            .toList();
    assertThat(errors).as("an ERROR line names the dead letter").isNotEmpty();
    for (LogRecord record : logged) {
      String text = formatted(record);
      for (String token : tokens) {
        assertThat(text).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
      }
    }
  }

  private static String formatted(LogRecord record) {
    String text = record.getMessage();
    Object[] parameters = record.getParameters();
    if (parameters != null) {
      try {
        text = String.format(text, parameters);
      } catch (RuntimeException e) {
        text = text + " " + java.util.Arrays.toString(parameters);
      }
    }
    return text + " " + record.getThrown();
  }

  private int logout(String client, String sid, List<String> tokens) {
    String token = issuer.logoutToken(client, sid, "user-" + sid);
    tokens.add(token);
    return given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", token)
        .post("/backchannel-logout")
        .statusCode();
  }

  private Path deadLetterFile() {
    return Path.of(AclTestResources.outboxDirectory(redis.port()), "dead-letters.jsonl");
  }

  private double deadLetterMetric() {
    String body = given().get(metrics).then().statusCode(200).extract().asString();
    Matcher matcher = DEAD_LETTERS.matcher(body);
    return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
  }

  private List<String> streamSids(String client) {
    RedisClient lettuce = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
      List<String> sids = new ArrayList<>();
      for (var message :
          connection.sync().xrange("sb:events:test:" + client, Range.create("-", "+"))) {
        Matcher matcher = SID.matcher(EventStreams.event(message));
        if (matcher.find()) {
          sids.add(matcher.group(1));
        }
      }
      return sids;
    } finally {
      lettuce.shutdown();
    }
  }
}
