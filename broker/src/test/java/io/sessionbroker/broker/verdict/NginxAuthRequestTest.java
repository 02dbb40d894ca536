package io.sessionbroker.broker.verdict;

import static io.sessionbroker.broker.verdict.UserTokens.accessToken;
import static io.sessionbroker.broker.verdict.UserTokens.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.TestIssuer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The NGINX {@code auth_request} recipe of docs/proxies.md, run by a real {@code nginx} process in
 * front of a small API, with the broker's {@code GET /api/v1/verdict} (issue 13).
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class NginxAuthRequestTest {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** A hang guard for each request and for the refusal to arrive, not a latency bound. */
  private static final Duration WAIT = Duration.ofSeconds(30);

  @InjectTestIssuer TestIssuer issuer;

  @TestHTTPResource("/")
  URL broker;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final AtomicInteger apiCalls = new AtomicInteger();
  private final Map<String, String> lastUserSeenByApi = new ConcurrentHashMap<>();
  private Path dir;
  private HttpServer api;
  private Process nginx;
  private int nginxPort;

  @BeforeEach
  void startApiAndNginx() throws Exception {
    api = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    api.createContext(
        "/",
        exchange -> {
          apiCalls.incrementAndGet();
          String user = exchange.getRequestHeaders().getFirst("X-Auth-Request-User");
          lastUserSeenByApi.put("user", user == null ? "" : user);
          byte[] body = ("hello " + user).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    api.start();

    dir = Files.createTempDirectory("nginx-verdict");
    nginxPort = FreePorts.next();
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(
        conf, nginxConf(recipe(), nginxPort, broker.getPort(), api.getAddress().getPort()));
    nginx =
        new ProcessBuilder(
                "nginx",
                "-p",
                dir.toString(),
                "-c",
                conf.toString(),
                "-e",
                dir.resolve("error.log").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    awaitListening(nginxPort);
  }

  @AfterEach
  void stop() throws Exception {
    if (nginx != null) {
      nginx.destroy();
      if (!nginx.waitFor(5, TimeUnit.SECONDS)) {
        nginx.destroyForcibly();
      }
    }
    if (api != null) {
      api.stop(0);
    }
  }

  @Test
  void whenItsSidIsLoggedOutThenTheSameLiveTokenIsRefusedAndOthersStillPass() throws Exception {
    String sid = unique("sid");
    String sub = unique("user");
    String token = accessToken(issuer, "spa", sid, sub);
    String otherSub = unique("user");
    String otherToken = accessToken(issuer, "spa", unique("sid"), otherSub);

    HttpResponse<String> live = get(token);
    assertThat(live.statusCode()).as("live token through nginx").isEqualTo(200);
    assertThat(live.body()).isEqualTo("hello " + sub);
    assertThat(lastUserSeenByApi.get("user")).isEqualTo(sub);

    logOut(sid, sub);

    HttpResponse<String> refused = awaitStatus(token, 401, WAIT);
    assertThat(refused.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer error=\"invalid_token\", error_description=\"session_revoked\"");
    int callsAfterRefusal = apiCalls.get();
    assertThat(get(token).statusCode()).isEqualTo(401);
    assertThat(apiCalls.get())
        .as("the API is not reached with a revoked token")
        .isEqualTo(callsAfterRefusal);

    HttpResponse<String> other = get(otherToken);
    assertThat(other.statusCode()).as("another user's token").isEqualTo(200);
    assertThat(other.body()).isEqualTo("hello " + otherSub);
  }

  @Test
  void whenThereIsNoTokenThen401AndTheApiIsNotReached() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginxPort + "/orders"))
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(apiCalls.get()).isZero();
  }

  @Test
  void whenTheTokenIsForgedThen401AndTheApiIsNotReached() throws Exception {
    JwtClaims claims = UserTokens.claims(issuer, "spa", unique("sid"), unique("user"));
    String forged = TestIssuer.sign(claims, "JWT", TestIssuer.unpublishedKey());

    HttpResponse<String> response = get(forged);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(value -> assertThat(value).contains("error=\"invalid_token\""));
    assertThat(apiCalls.get()).isZero();
  }

  @Test
  void whenTheTokenIsAnIdTokenThen401AndTheApiIsNotReached() throws Exception {
    HttpResponse<String> response = get(issuer.idToken("spa", unique("sid"), unique("user")));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(value -> assertThat(value).contains("not_access_token"));
    assertThat(apiCalls.get()).isZero();
  }

  @Test
  void whenAClientSendsItsOwnUserHeaderThenTheApiSeesTheVerifiedUser() throws Exception {
    String sub = unique("user");
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginxPort + "/orders"))
                .timeout(WAIT)
                .header("Authorization", "Bearer " + accessToken(issuer, "spa", unique("sid"), sub))
                .header("X-Auth-Request-User", "admin")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(lastUserSeenByApi.get("user")).isEqualTo(sub);
  }

  private HttpResponse<String> get(String token) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginxPort + "/orders"))
            .timeout(WAIT)
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> awaitStatus(String token, int status, Duration within)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    HttpResponse<String> response;
    do {
      response = get(token);
      if (response.statusCode() == status) {
        return response;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return fail("still %d after %s, expected %d", response.statusCode(), within, status);
  }

  private void logOut(String sid, String sub) throws Exception {
    String form = "logout_token=" + issuer.logoutToken("spa", sid, sub);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(broker.toURI().resolve("/backchannel-logout"))
                .timeout(WAIT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("back-channel logout").isEqualTo(200);
  }

  /** The tested server block of docs/proxies.md. */
  private static String recipe() throws IOException {
    String doc = Files.readString(repositoryRoot().resolve("docs/proxies.md"));
    int begin = doc.indexOf("<!-- tested-nginx-recipe:begin -->");
    int end = doc.indexOf("<!-- tested-nginx-recipe:end -->");
    assertThat(begin).as("recipe markers in docs/proxies.md").isNotNegative().isLessThan(end);
    String block = doc.substring(begin, end);
    return block.substring(
        block.indexOf("```nginx") + "```nginx".length(), block.lastIndexOf("```"));
  }

  /** A complete configuration around the recipe: everything nginx writes stays under {@code -p}. */
  private static String nginxConf(String recipe, int port, int brokerPort, int apiPort) {
    String server =
        recipe
            .replace("listen 80;", "listen 127.0.0.1:" + port + ";")
            .replace("session-broker:8080", "127.0.0.1:" + brokerPort)
            .replace("api:8000", "127.0.0.1:" + apiPort);
    assertThat(server).doesNotContain("session-broker:8080", "api:8000", "listen 80;");
    return String.join(
        "\n",
        List.of(
            "daemon off;",
            "master_process off;",
            "worker_processes 1;",
            "pid nginx.pid;",
            "error_log error.log info;",
            "events { worker_connections 64; }",
            "http {",
            "  access_log access.log;",
            "  client_body_temp_path client_body;",
            "  proxy_temp_path proxy;",
            "  fastcgi_temp_path fastcgi;",
            "  uwsgi_temp_path uwsgi;",
            "  scgi_temp_path scgi;",
            server,
            "}",
            ""));
  }

  private static void awaitListening(int port) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    fail("nginx did not listen on %d within %s", port, START_TIMEOUT);
  }

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docs/proxies.md"))) {
        return dir;
      }
    }
    return fail("no docs/proxies.md above %s", Path.of("").toAbsolutePath());
  }
}
