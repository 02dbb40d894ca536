package io.sessionbroker.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.JavaProcess;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged broker with exactly the TLS settings {@code k8s/components/tls-to-pod} gives the
 * container, and a certificate and PKCS#8 key in the files cert-manager writes ({@code tls.crt},
 * {@code tls.key}): the API answers over HTTPS with that certificate, plain HTTP is not served, and
 * the management interface (probes) stays plain HTTP.
 */
class TlsToPodIT {

  private static final Path WORK = Path.of("target", "tls-to-pod-it").toAbsolutePath();

  private static RedisServer redis;
  private static TestIssuer issuer;
  private static JavaProcess broker;

  /**
   * An address, not a name: how "localhost" resolves (IPv4, IPv6 or both) differs between machines,
   * and the broker binds 127.0.0.1 only. The certificate names this IP too.
   */
  private static final String LOOPBACK = "127.0.0.1";

  private static final int HTTP_PORT = FreePorts.next();
  private static final int HTTPS_PORT = FreePorts.next();
  private static final int MANAGEMENT_PORT = FreePorts.next();

  @BeforeAll
  static void startBrokerWithTheComponentsTlsSettings() throws Exception {
    Manifests manifests = Kustomize.overlay("prod+tls-to-pod");
    VolumeMount tlsMount =
        manifests.brokerContainer().getVolumeMounts().stream()
            .filter(mount -> mount.getName().equals("tls"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no tls volume mount"));
    Path tlsDir = Files.createDirectories(WORK.resolve("tls"));
    makeCertificate(tlsDir);
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar variable : manifests.brokerContainer().getEnv()) {
      if (variable.getName().startsWith("QUARKUS_HTTP_") && variable.getValue() != null) {
        env.put(
            variable.getName(),
            variable.getValue().replace(tlsMount.getMountPath(), tlsDir.toString()));
      }
    }
    assertThat(env)
        .containsKeys("QUARKUS_HTTP_SSL_CERTIFICATE_FILES", "QUARKUS_HTTP_INSECURE_REQUESTS");

    redis = RedisServer.start();
    issuer = TestIssuer.start("tls");
    broker =
        JavaProcess.builder("broker-tls", Path.of("target", "quarkus-app", "quarkus-run.jar"))
            .logFile(WORK.resolve("broker.log"))
            .env(env)
            .systemProperty("quarkus.http.host", "127.0.0.1")
            .systemProperty("quarkus.http.port", Integer.toString(HTTP_PORT))
            .systemProperty("quarkus.http.ssl-port", Integer.toString(HTTPS_PORT))
            .systemProperty("quarkus.management.host", "127.0.0.1")
            .systemProperty("quarkus.management.port", Integer.toString(MANAGEMENT_PORT))
            .systemProperty("quarkus.redis.hosts", redis.uri())
            .systemProperty("session-broker.issuers.tls.url", issuer.url())
            .systemProperty("session-broker.outbox.directory", WORK.resolve("outbox").toString())
            .start();
    broker.awaitReady(
        URI.create("http://127.0.0.1:" + MANAGEMENT_PORT + "/q/health/ready"),
        Duration.ofSeconds(90));
    awaitListening(HTTPS_PORT, Duration.ofSeconds(30));
  }

  /**
   * Readiness is served by the management interface, which may bind before the main HTTPS server
   * does; the tests need the HTTPS listener itself.
   */
  private static void awaitListening(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(LOOPBACK, port), 1_000);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("nothing listens on " + LOOPBACK + ":" + port, notYet);
        }
        Thread.sleep(100);
      }
    }
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {broker, issuer, redis}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void whenAnAppCallsOverHttpsThenTheBrokerAnswersWithTheMountedCertificate() throws Exception {
    HttpClient https =
        HttpClient.newBuilder().sslContext(trusting(WORK.resolve("tls/tls.crt"))).build();

    HttpResponse<String> response =
        https.send(
            HttpRequest.newBuilder(
                    URI.create("https://" + LOOPBACK + ":" + HTTPS_PORT + "/api/v1/sessions/x"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as("no token: the API's own 401, over TLS").isEqualTo(401);
  }

  @Test
  void whenSomeoneCallsInPlainHttpThenNothingIsServed() {
    HttpClient http = HttpClient.newHttpClient();

    assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + HTTP_PORT + "/backchannel-logout"))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("logout_token=x"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void whenKubeletProbesThenTheManagementInterfaceAnswersInPlainHttp() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + MANAGEMENT_PORT + "/q/health/live"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
  }

  /** A self-signed certificate for localhost and a PKCS#8 key, as cert-manager's Secret holds. */
  private static void makeCertificate(Path dir) throws IOException, InterruptedException {
    Process openssl =
        new ProcessBuilder(
                List.of(
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout",
                    dir.resolve("tls.key").toString(),
                    "-out",
                    dir.resolve("tls.crt").toString()))
            .redirectErrorStream(true)
            .start();
    openssl.getOutputStream().close();
    String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(openssl.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(openssl.exitValue()).as("openssl: %s", output).isZero();
    assertThat(Files.readString(dir.resolve("tls.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  private static SSLContext trusting(Path certificate) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      trust.setCertificateEntry(
          "broker", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
