package io.sessionbroker.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionbroker.broker.store.RedisKeys;
import io.sessionbroker.testsupport.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis ACLs of docs/operations.md, applied to a real {@code redis-server} and probed with
 * {@code ACL DRYRUN}: the broker's user may run every command the broker's code and Lua scripts
 * send, on the keys and channels they use; an app's user may only read its own stream and listen on
 * its own channel. A new command in the code fails this test until the documented ACL allows it.
 */
class RedisAclDocumentationTest {

  private static final Path ROOT = Kustomize.repositoryRoot();
  private static final String BROKER_USER = "session-broker";
  private static final String APP_USER = "app-acme-app1";

  private static final RedisKeys KEYS = new RedisKeys("sb");
  private static final String SID = KEYS.sid("acme", "3f1c9a");
  private static final String CLIENT_INDEX = KEYS.clientSessions("acme", "app1", "JSESSION-1");
  private static final String USER_INDEX = KEYS.userSessions("acme", "user-1");
  private static final String STREAM = KEYS.eventStream("acme", "app1");
  private static final String DEDUPE = KEYS.eventDedupe(STREAM, "sid:3f1c9a");
  private static final String CHANNEL = KEYS.revocationChannel("acme", "app1");

  /**
   * What the broker sends, per command, on each kind of key it sends it to (Java stores, Lua
   * scripts, health check).
   */
  private static final Map<String, List<String>> BROKER_INVOCATIONS =
      Map.ofEntries(
          Map.entry(
              "EVALSHA",
              List.of(
                  "EVALSHA 0123456789abcdef0123456789abcdef01234567 1 " + SID,
                  "EVALSHA 0123456789abcdef0123456789abcdef01234567 2 " + STREAM + " " + DEDUPE,
                  "EVALSHA 0123456789abcdef0123456789abcdef01234567 1 "
                      + KEYS.clientNotBefore("acme", "app1"))),
          Map.entry("EVAL", List.of("EVAL \"return 1\" 1 " + CLIENT_INDEX)),
          Map.entry("HGET", List.of("HGET " + SID + " f", "HGET " + CLIENT_INDEX + " f")),
          Map.entry(
              "HGETALL",
              List.of("HGETALL " + SID, "HGETALL " + CLIENT_INDEX, "HGETALL " + USER_INDEX)),
          Map.entry("HSET", List.of("HSET " + SID + " f v", "HSET " + USER_INDEX + " f v")),
          Map.entry("HDEL", List.of("HDEL " + SID + " f", "HDEL " + CLIENT_INDEX + " f")),
          Map.entry("HLEN", List.of("HLEN " + CLIENT_INDEX, "HLEN " + SID)),
          Map.entry("SADD", List.of("SADD " + KEYS.clients("acme") + " app1")),
          Map.entry("SMEMBERS", List.of("SMEMBERS " + KEYS.clients("acme"))),
          Map.entry("GET", List.of("GET " + DEDUPE, "GET " + KEYS.userNotBefore("acme", "user-1"))),
          Map.entry(
              "SET",
              List.of(
                  "SET " + DEDUPE + " 1-0 PX 1000",
                  "SET " + KEYS.processedJti("acme", "jti-1") + " 1 PX 1000",
                  "SET " + KEYS.clientNotBefore("acme", "app1") + " 1 PX 1000")),
          Map.entry(
              "EXISTS",
              List.of("EXISTS " + STREAM, "EXISTS " + KEYS.processedJti("acme", "jti-1"))),
          Map.entry("XADD", List.of("XADD " + STREAM + " MINID ~ 0-0 1-0 event {}")),
          Map.entry("XRANGE", List.of("XRANGE " + STREAM + " - + COUNT 10")),
          Map.entry("XREAD", List.of("XREAD COUNT 10 STREAMS " + STREAM + " 0-0")),
          Map.entry("XREVRANGE", List.of("XREVRANGE " + STREAM + " + - COUNT 1")),
          Map.entry("SCAN", List.of("SCAN 0 MATCH sb:events:acme:* COUNT 1000 TYPE stream")),
          Map.entry(
              "PSUBSCRIBE",
              List.of("PSUBSCRIBE sb:revocations:*", "PUNSUBSCRIBE sb:revocations:*")),
          Map.entry("PUBLISH", List.of("PUBLISH " + CHANNEL + " {}")),
          Map.entry("SPUBLISH", List.of("SPUBLISH " + CHANNEL + " {}")),
          Map.entry("PEXPIRE", List.of("PEXPIRE " + SID + " 1000", "PEXPIRE " + STREAM + " 1000")),
          Map.entry("PTTL", List.of("PTTL " + SID)),
          Map.entry("INFO", List.of("INFO memory")),
          Map.entry("PING", List.of("PING")));

  private static RedisServer redis;

  @BeforeAll
  static void startRedisWithDocumentedUsers() throws IOException {
    redis = RedisServer.start();
    for (String user : List.of(BROKER_USER, APP_USER)) {
      assertThat(send(documentedAcl(user))).as("documented ACL of %s", user).isEqualTo("OK");
    }
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void whenBrokerCodeSendsACommandThenTheDocumentedAclKnowsHowItIsUsed() throws IOException {
    assertThat(BROKER_INVOCATIONS.keySet())
        .as(
            "Redis commands of broker/src/main: allow each new one in the broker ACL of"
                + " docs/operations.md and add its invocations to this test; drop from both what"
                + " the broker no longer sends")
        .containsExactlyInAnyOrderElementsOf(commandsUsedByTheBroker());
  }

  @Test
  void whenBrokerUserRunsWhatTheBrokerSendsThenRedisAllowsIt() {
    BROKER_INVOCATIONS.values().stream()
        .flatMap(List::stream)
        .forEach(
            invocation ->
                assertThat(dryRun(BROKER_USER, invocation)).as(invocation).isEqualTo("OK"));
  }

  @Test
  void whenBrokerUserTouchesForeignKeysOrAdminCommandsThenRedisRefuses() {
    assertThat(dryRun(BROKER_USER, "GET other:key")).isNotEqualTo("OK");
    assertThat(dryRun(BROKER_USER, "FLUSHALL")).isNotEqualTo("OK");
    assertThat(dryRun(BROKER_USER, "CONFIG SET maxmemory 1")).isNotEqualTo("OK");
    assertThat(dryRun(BROKER_USER, "PUBLISH other-channel x")).isNotEqualTo("OK");
  }

  @Test
  void whenAppUserReadsItsOwnStreamAndChannelThenRedisAllowsIt() {
    assertThat(dryRun(APP_USER, "XRANGE " + STREAM + " - + COUNT 10")).isEqualTo("OK");
    assertThat(dryRun(APP_USER, "XREAD COUNT 10 STREAMS " + STREAM + " 0-0")).isEqualTo("OK");
    assertThat(dryRun(APP_USER, "XREVRANGE " + STREAM + " + - COUNT 1")).isEqualTo("OK");
    assertThat(dryRun(APP_USER, "SUBSCRIBE " + CHANNEL)).isEqualTo("OK");
    assertThat(dryRun(APP_USER, "SSUBSCRIBE " + CHANNEL)).isEqualTo("OK");
  }

  @Test
  void whenAppUserReachesBeyondItsOwnStreamAndChannelThenRedisRefuses() {
    String otherStream = KEYS.eventStream("acme", "app2");
    String otherChannel = KEYS.revocationChannel("acme", "app2");

    assertThat(dryRun(APP_USER, "XRANGE " + otherStream + " - +")).isNotEqualTo("OK");
    assertThat(dryRun(APP_USER, "SUBSCRIBE " + otherChannel)).isNotEqualTo("OK");
    assertThat(dryRun(APP_USER, "XADD " + STREAM + " * event {}")).isNotEqualTo("OK");
    assertThat(dryRun(APP_USER, "DEL " + STREAM)).isNotEqualTo("OK");
    assertThat(dryRun(APP_USER, "PUBLISH " + CHANNEL + " x")).isNotEqualTo("OK");
    assertThat(dryRun(APP_USER, "HGETALL " + SID)).isNotEqualTo("OK");
  }

  /** The {@code ACL SETUSER <user> ...} line of docs/operations.md. */
  private static String documentedAcl(String user) throws IOException {
    List<String> lines =
        Files.readAllLines(ROOT.resolve("docs/operations.md")).stream()
            .map(String::strip)
            .filter(line -> line.startsWith("ACL SETUSER " + user + " "))
            .toList();
    assertThat(lines).as("ACL SETUSER %s in docs/operations.md", user).hasSize(1);
    return lines.get(0);
  }

  /** Commands in the broker's Java sources and Lua scripts. */
  private static Set<String> commandsUsedByTheBroker() throws IOException {
    Set<String> commands = new TreeSet<>();
    Pattern lua = Pattern.compile("redis\\.p?call\\('([A-Za-z]+)'(?:,\\s*'([A-Z]+)')?");
    Pattern java =
        Pattern.compile(
            "(?:execute|command)\\(\\s*\"([A-Z]+)\"|\"(S?PUBLISH)\"|(subscribeToPattern)\\("
                + "|Command\\.([A-Z]+)\\b");
    try (Stream<Path> files = Files.walk(ROOT.resolve("broker/src/main"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".lua") && !name.endsWith(".java")) {
          continue;
        }
        Matcher matcher = (name.endsWith(".lua") ? lua : java).matcher(Files.readString(file));
        while (matcher.find()) {
          if (name.endsWith(".lua")) {
            String command = matcher.group(1).toUpperCase();
            boolean container = command.equals("XINFO") && matcher.group(2) != null;
            commands.add(container ? command + " " + matcher.group(2) : command);
          } else {
            commands.add(
                matcher.group(1) != null
                    ? matcher.group(1)
                    : matcher.group(2) != null
                        ? matcher.group(2)
                        : matcher.group(4) != null ? matcher.group(4) : "PSUBSCRIBE");
          }
        }
      }
    }
    return commands;
  }

  private static String dryRun(String user, String invocation) {
    return send("ACL DRYRUN " + user + " " + invocation);
  }

  /** One inline command as the default user; the reply's text (status, error or bulk string). */
  private static String send(String inlineCommand) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), redis.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write((inlineCommand + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      String first = readLine(in);
      return first.startsWith("$") && !first.equals("$-1") ? readLine(in) : first.substring(1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
