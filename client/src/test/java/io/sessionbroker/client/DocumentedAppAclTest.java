package io.sessionbroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.sessionbroker.testsupport.RedisCluster;
import io.sessionbroker.testsupport.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client runs as the app's Redis user exactly as docs/operations.md (section ACLs) defines it,
 * against a real {@code redis-server}, while the broker's documented user writes the events: it
 * starts from either position, catches up, receives live revocations, and Redis refuses none of its
 * commands. A Lettuce command added to the client without a matching rule in the documented ACL
 * fails this test.
 */
class DocumentedAppAclTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path ROOT = repositoryRoot();
  private static final String APP_USER = "app-acme-app1";
  private static final String BROKER_USER = "session-broker";

  /**
   * What Redis may refuse to the app's user without harm: Lettuce announces its library name with
   * {@code CLIENT SETINFO} on Redis 7.2+, ignores a refusal, and the docs make the rule optional.
   */
  private static final Set<String> IGNORED_REFUSALS = Set.of("client|setinfo");

  private static RedisServer redis;

  @BeforeAll
  static void startRedisWithDocumentedUsers() throws IOException {
    redis = RedisServer.start();
    for (String user : List.of(APP_USER, BROKER_USER)) {
      assertThat(redis.command(documentedAcl(user)))
          .as("documented ACL of %s", user)
          .isEqualTo("+OK");
    }
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void emptyStreamAndAclLog() {
    assertThat(redis.command("DEL " + options().build().streamKey())).startsWith(":");
    assertThat(redis.command("ACL LOG RESET")).isEqualTo("+OK");
  }

  @ParameterizedTest
  @EnumSource(StartPosition.class)
  void whenTheAppUsesItsDocumentedUserThenItStartsCatchesUpAndReceivesLiveEvents(
      StartPosition startFrom) throws IOException {
    SessionBrokerOptions options = options().startFrom(startFrom).build();
    try (FakeBroker broker = new FakeBroker(uriOf(BROKER_USER), options)) {
      String retained = broker.append(FakeBroker.sessionRevoked("sid-before-start"));
      RecordingListener listener = new RecordingListener();

      try (SessionBrokerClient client = SessionBrokerClient.start(options, listener)) {
        String live = broker.revoke(FakeBroker.sessionRevoked("sid-live"));
        List<String> expected =
            startFrom == StartPosition.RETAINED ? List.of(retained, live) : List.of(live);
        await().atMost(WAIT).until(() -> listener.ids().size() >= expected.size());
        assertThat(listener.ids()).isEqualTo(expected);
        assertThat(client.isRevoked("sid-live")).isTrue();
        assertThat(appUserConnections(redis)).isGreaterThanOrEqualTo(2);
      }
    }
    assertThat(appUserRefusals()).isEmpty();
  }

  @Test
  void whenTheAppUsesItsDocumentedUserThroughSentinelThenItCatchesUpAndReceivesLiveEvents() {
    try (SentinelProcess sentinel = new SentinelProcess(redis.port())) {
      String credentials = uriOf(APP_USER).replaceAll("^redis://|@.*$", "");
      SessionBrokerOptions options =
          options().redisUri(sentinel.uri().replace("://", "://" + credentials + "@")).build();
      try (FakeBroker broker = new FakeBroker(uriOf(BROKER_USER), options)) {
        String retained = broker.append(FakeBroker.sessionRevoked("sid-before-start"));
        RecordingListener listener = new RecordingListener();

        try (SessionBrokerClient client = SessionBrokerClient.start(options, listener)) {
          String live = broker.revoke(FakeBroker.sessionRevoked("sid-live"));
          await().atMost(WAIT).until(() -> listener.ids().size() >= 2);
          assertThat(listener.ids()).containsExactly(retained, live);
          assertThat(client.isRevoked("sid-live")).isTrue();
          assertThat(appUserConnections(redis)).isGreaterThanOrEqualTo(2);
        }
      }
    }
    assertThat(appUserRefusals()).isEmpty();
  }

  @Test
  void whenTheAppUsesItsDocumentedUserOnAClusterThenItCatchesUpAndReceivesLiveEvents()
      throws IOException {
    try (RedisCluster cluster = RedisCluster.start(3)) {
      for (RedisServer node : cluster.nodes()) {
        assertThat(node.command(documentedAcl(APP_USER))).isEqualTo("+OK");
        assertThat(node.command("ACL SETUSER " + APP_USER + " " + documentedClusterRules()))
            .isEqualTo("+OK");
      }
      SessionBrokerOptions options =
          options()
              .clusterSeedUris(
                  cluster.nodes().stream().map(node -> uriOf(APP_USER, node.port())).toList())
              .build();
      RedisClusterClient admin = RedisClusterClient.create(cluster.nodes().get(0).uri());
      try (StatefulRedisClusterConnection<String, String> broker = admin.connect()) {
        String retained =
            broker
                .sync()
                .xadd(
                    options.streamKey(),
                    Map.of("event", FakeBroker.sessionRevoked("sid-before-start").toString()));
        RecordingListener listener = new RecordingListener();

        try (SessionBrokerClient client = SessionBrokerClient.start(options, listener)) {
          ObjectNode event = FakeBroker.sessionRevoked("sid-live");
          String live = broker.sync().xadd(options.streamKey(), Map.of("event", event.toString()));
          broker.sync().spublish(options.channel(), event.put("id", live).toString());
          await().atMost(WAIT).until(() -> listener.ids().size() >= 2);
          assertThat(listener.ids()).containsExactly(retained, live);
          assertThat(client.isRevoked("sid-live")).isTrue();
          assertThat(
                  cluster.nodes().stream()
                      .mapToLong(DocumentedAppAclTest::appUserConnections)
                      .sum())
              .isGreaterThanOrEqualTo(2);
        }
      } finally {
        admin.shutdown();
      }
      for (RedisServer node : cluster.nodes()) {
        assertThat(appUserRefusals(node)).as("ACL LOG of %s", node.uri()).isEmpty();
      }
    }
  }

  @Test
  void whenTheClientSendsACommandThenTheDocumentedAppAclAllowsIt() throws IOException {
    Set<String> allowed =
        Arrays.stream(documentedAcl(APP_USER).split(" "))
            .filter(word -> word.startsWith("+"))
            .map(word -> word.substring(1).toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
    Set<String> sent = commandsSentByTheClient();

    assertThat(sent).as("the scan finds the client's commands").contains("xrange", "subscribe");
    assertThat(allowed)
        .as("commands of client/src/main: allow each in the app ACL of docs/operations.md")
        .containsAll(sent);
  }

  private static SessionBrokerOptions.Builder options() {
    return SessionBrokerOptions.builder()
        .redisUri(uriOf(APP_USER))
        .issuerAlias("acme")
        .clientId("app1")
        .startTimeout(Duration.ofSeconds(10))
        .maxReconnectDelay(Duration.ofMillis(300))
        .commandTimeout(Duration.ofSeconds(2));
  }

  private static String uriOf(String user) {
    return uriOf(user, redis.port());
  }

  /** {@code redis://<user>:<documented password>@127.0.0.1:<port>}. */
  private static String uriOf(String user, int port) {
    try {
      String password =
          Arrays.stream(documentedAcl(user).split(" "))
              .filter(word -> word.startsWith(">"))
              .findFirst()
              .orElseThrow()
              .substring(1);
      return "redis://" + user + ":" + password + "@127.0.0.1:" + port;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Connections to {@code server} authenticated as the app's user (the client holds a pub/sub and a
   * command connection); a client that dropped the user name would show up as {@code default}.
   */
  private static long appUserConnections(RedisServer server) {
    try (RedisClient admin = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> connection = admin.connect()) {
      return connection
          .sync()
          .clientList()
          .lines()
          .filter(c -> c.contains(" user=" + APP_USER + " "))
          .count();
    }
  }

  /** Commands Redis refused to the app's user ({@code ACL LOG}), other than the ignored ones. */
  private static List<String> appUserRefusals() {
    return appUserRefusals(redis);
  }

  private static List<String> appUserRefusals(RedisServer server) {
    try (RedisClient admin = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> connection = admin.connect()) {
      return connection.sync().aclLog().stream()
          .map(Object::toString)
          .filter(entry -> entry.contains(APP_USER))
          .filter(entry -> IGNORED_REFUSALS.stream().noneMatch(entry::contains))
          .toList();
    }
  }

  /**
   * Redis commands the client's Lettuce code sends: the stream commands it calls on its command
   * connection and the subscriptions on its pub/sub connection, lower case.
   */
  private static Set<String> commandsSentByTheClient() throws IOException {
    Pattern call = Pattern.compile("(?:\\bstreams|\\.sync\\(\\))\\.([a-z]+)\\(");
    Set<String> commands = new TreeSet<>();
    try (Stream<Path> files = Files.walk(ROOT.resolve("client/src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        if (!source.contains("import io.lettuce.")) {
          continue;
        }
        Matcher matcher = call.matcher(source);
        while (matcher.find()) {
          commands.add(matcher.group(1));
        }
      }
    }
    return commands;
  }

  /** The one {@code ACL SETUSER <user> ...} line of docs/operations.md. */
  private static String documentedAcl(String user) throws IOException {
    List<String> lines =
        Files.readAllLines(ROOT.resolve("docs/operations.md")).stream()
            .map(String::strip)
            .filter(line -> line.startsWith("ACL SETUSER " + user + " "))
            .toList();
    assertThat(lines).as("ACL SETUSER %s in docs/operations.md", user).hasSize(1);
    return lines.get(0);
  }

  /** The rules docs/operations.md adds to the app's user in Redis Cluster, space-separated. */
  private static String documentedClusterRules() throws IOException {
    String text = Files.readString(ROOT.resolve("docs/operations.md"));
    String afterAppAcl = text.substring(text.indexOf("ACL SETUSER " + APP_USER + " "));
    Matcher sentence =
        Pattern.compile("\n\\* In Redis Cluster add (.*?)\\.\n", Pattern.DOTALL)
            .matcher(afterAppAcl);
    assertThat(sentence.find()).as("the app's Redis Cluster rules in docs/operations.md").isTrue();
    List<String> rules =
        Pattern.compile("\\+[a-z|_]+")
            .matcher(sentence.group(1))
            .results()
            .map(m -> m.group())
            .toList();
    assertThat(rules).isNotEmpty();
    return String.join(" ", rules);
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("docs/operations.md"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("docs/operations.md not found above the working directory");
    }
    return dir;
  }
}
