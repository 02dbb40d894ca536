package io.sessionbroker.benchmark;

import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.JavaProcess;
import io.sessionbroker.testsupport.TestIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The side-by-side logout measurement of SPEC §6: the broker against the app that users would run
 * instead (the Quarkus OIDC app of {@code shared/peers/quarkus-oidc-backchannel}, which handles
 * back-channel logout itself, in memory), with the same load in the same run.
 *
 * <p>Method (the peer's README): both on the same cores, one after the other, each against the same
 * issuer (RS256, 2048-bit key), each warmed with load for {@code warmUp}, then measured for {@code
 * measure} with {@code wrk -t2 -c32} posting distinct pre-signed logout tokens ({@code aud portal},
 * random {@code sid} and {@code sub}, nothing registered), keep-alive, form-encoded. Both targets
 * receive the very same tokens: a tenth of them for the warm-up (cycled when they run out), the
 * rest for the measured window. The figure is broker requests/s ÷ peer requests/s; a target with
 * any non-2xx answer, socket error or token sent twice in the measured window has no valid figure.
 */
final class PeerComparison {

  static final String AUDIENCE = "portal";
  static final int WRK_THREADS = 2;
  static final int WRK_CONNECTIONS = 32;

  /** One target's measured window. */
  record Target(
      String name,
      double requestsPerSecond,
      long requests,
      long non2xx,
      long socketErrors,
      long tokensReused,
      double p50Ms,
      double p99Ms) {

    /** Whether the figure counts: every answer 2xx, no socket error, no token sent twice. */
    boolean valid() {
      return requests > 0 && non2xx == 0 && socketErrors == 0 && tokensReused == 0;
    }
  }

  /** Both targets of one run. */
  record Result(Target peer, Target broker, int tokens, double mintSeconds, String peerSource) {

    /** Broker requests/s ÷ peer requests/s; NaN when either figure is invalid. */
    double ratio() {
      return peer.valid() && broker.valid() && peer.requestsPerSecond() > 0
          ? broker.requestsPerSecond() / peer.requestsPerSecond()
          : Double.NaN;
    }
  }

  private static final Pattern REQUESTS_PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern REQUESTS = Pattern.compile("([0-9]+) requests in");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+([0-9]+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile(
          "Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)");
  private static final Pattern REUSED = Pattern.compile("REUSED ([0-9]+)");
  private static final Pattern P50 = Pattern.compile("LATENCY_P50_US ([0-9]+)");
  private static final Pattern P99 = Pattern.compile("LATENCY_P99_US ([0-9]+)");

  private final TestIssuer issuer;
  private final Path workDir;
  private final Duration warmUp;
  private final Duration measure;

  PeerComparison(TestIssuer issuer, Path workDir, Duration warmUp, Duration measure) {
    this.issuer = issuer;
    this.workDir = workDir;
    this.warmUp = warmUp;
    this.measure = measure;
  }

  /**
   * Measures the peer (started here from {@code peerJar}, stopped afterwards), then the running
   * broker, with the same {@code tokens} distinct logout tokens.
   *
   * @throws IllegalStateException when wrk is missing or the peer does not start
   */
  Result run(Path peerJar, int brokerPort, int tokens) throws IOException, InterruptedException {
    Path script = workDir.resolve("logout-tokens.lua");
    try (InputStream in = PeerComparison.class.getResourceAsStream("/logout-tokens.lua")) {
      Files.write(script, in.readAllBytes());
    }
    long mintStarted = System.nanoTime();
    Path warmTokens = workDir.resolve("peer-warm");
    Path measuredTokens = workDir.resolve("peer-measure");
    // A tenth for the warm-up, which may send them more than once (a replay warms verification
    // but not recording, and the first pass warms recording); the measured window must not, and
    // an in-memory receiver on two cores takes 20,000 and more a second.
    int warmCount = tokens / 10;
    writeTokens(warmTokens, 0, warmCount);
    writeTokens(measuredTokens, warmCount, tokens - warmCount);
    double mintSeconds = (System.nanoTime() - mintStarted) / 1e9;

    Target peer;
    int peerPort = FreePorts.next();
    try (JavaProcess process =
        JavaProcess.builder("peer", peerJar)
            .maxHeap("512m")
            .workingDir(workDir)
            .logFile(workDir.resolve("peer.log"))
            .systemProperty("quarkus.http.port", Integer.toString(peerPort))
            .systemProperty("quarkus.oidc.auth-server-url", issuer.url())
            .start()) {
      awaitAccepting(process, peerPort);
      peer = measure("peer", peerPort, script, warmTokens, measuredTokens);
    }
    Target broker = measure("broker", brokerPort, script, warmTokens, measuredTokens);
    return new Result(peer, broker, tokens, mintSeconds, peerJar.toString());
  }

  private void writeTokens(Path prefix, int first, int count) throws IOException {
    for (int thread = 0; thread < WRK_THREADS; thread++) {
      int from = first + thread * count / WRK_THREADS;
      int to = first + (thread + 1) * count / WRK_THREADS;
      List<String> lines =
          IntStream.range(from, to)
              .parallel()
              .mapToObj(
                  i ->
                      issuer.logoutToken(
                          AUDIENCE,
                          new UUID(0x9EE2_0000_0000_0000L | i, System.nanoTime()).toString(),
                          UUID.randomUUID().toString()))
              .toList();
      Files.write(Path.of(prefix + "-" + thread + ".txt"), lines);
    }
  }

  /** The peer has no health endpoint: it is ready when it accepts a valid logout token. */
  private void awaitAccepting(JavaProcess process, int port) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plusSeconds(90);
    String body =
        "logout_token="
            + URLEncoder.encode(
                issuer.logoutToken(AUDIENCE, UUID.randomUUID().toString(), "ready"),
                StandardCharsets.UTF_8);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("The peer exited while starting:\n" + process.logTail());
      }
      try {
        HttpRequest request =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/backchannel-logout"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "The peer did not accept a logout token within 90 s:\n" + process.logTail());
  }

  private Target measure(String name, int port, Path script, Path warmTokens, Path measuredTokens)
      throws IOException, InterruptedException {
    Benchmark.log("Side by side: " + name + ", wrk warm-up " + warmUp.toSeconds() + " s");
    wrk(port, script, warmTokens, warmUp);
    Benchmark.log("Side by side: " + name + ", wrk measured " + measure.toSeconds() + " s");
    String out = wrk(port, script, measuredTokens, measure);
    Files.writeString(workDir.resolve("wrk-" + name + ".txt"), out);
    long[] socket = socketErrors(out);
    Target target =
        new Target(
            name,
            Double.parseDouble(group(REQUESTS_PER_SECOND, out, "0")),
            Long.parseLong(group(REQUESTS, out, "0")),
            Long.parseLong(group(NON_2XX, out, "0")),
            socket[0] + socket[1] + socket[2] + socket[3],
            Long.parseLong(group(REUSED, out, "0")),
            Long.parseLong(group(P50, out, "0")) / 1000.0,
            Long.parseLong(group(P99, out, "0")) / 1000.0);
    Benchmark.log(
        String.format(
            "  %s: %.0f logouts/s, p50 %.2f ms, p99 %.2f ms, non-2xx %d, socket errors %d,"
                + " tokens reused %d",
            name,
            target.requestsPerSecond(),
            target.p50Ms(),
            target.p99Ms(),
            target.non2xx(),
            target.socketErrors(),
            target.tokensReused()));
    return target;
  }

  private static String wrk(int port, Path script, Path tokens, Duration duration)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "wrk",
            "-t" + WRK_THREADS,
            "-c" + WRK_CONNECTIONS,
            "-d" + duration.toSeconds() + "s",
            "--latency",
            "-s",
            script.toString(),
            "http://127.0.0.1:" + port + "/backchannel-logout",
            "--",
            tokens.toString()));
    Process wrk;
    try {
      wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("wrk is missing: apt-get install -y wrk", e);
    }
    String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!wrk.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
      wrk.destroyForcibly();
      throw new UncheckedIOException(new IOException("wrk failed:\n" + out));
    }
    return out;
  }

  private static String group(Pattern pattern, String text, String otherwise) {
    Matcher m = pattern.matcher(text);
    return m.find() ? m.group(1) : otherwise;
  }

  private static long[] socketErrors(String text) {
    Matcher m = SOCKET_ERRORS.matcher(text);
    if (!m.find()) {
      return new long[4];
    }
    return new long[] {
      Long.parseLong(m.group(1)),
      Long.parseLong(m.group(2)),
      Long.parseLong(m.group(3)),
      Long.parseLong(m.group(4))
    };
  }
}
