package io.sessionbroker.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A bounded soak (about a minute) of registrations and logouts at high rate against the packaged
 * broker: no request fails and the heap left after a full GC does not keep growing.
 */
class SoakIT {

  private static final Duration WARM_UP = Duration.ofSeconds(15);
  private static final Duration DURATION = Duration.ofSeconds(60);
  private static final long MAX_REQUESTS = 400_000;
  private static final int WORKERS = 6;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  @Test
  void whenLoadedForAMinuteThenNoErrorsAndNoHeapGrowth() throws Exception {
    try (RedisServer redis = RedisServer.start();
        TestIssuer issuer = TestIssuer.start("test");
        BrokerProcess broker =
            new BrokerProcess(
                "soak",
                Map.of(
                    "quarkus.redis.hosts",
                    redis.uri(),
                    "session-broker.issuers.test.url",
                    issuer.url()))) {
      AtomicLong requests = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      long end = System.nanoTime() + DURATION.toNanos();
      ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        String clientId = "soak-" + w;
        String accessToken = issuer.accessToken(clientId);
        workers.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() < end && requests.get() < MAX_REQUESTS) {
                    String sid = UUID.randomUUID().toString();
                    count(
                        registerAndLogOut(broker, issuer, clientId, accessToken, sid),
                        requests,
                        errors);
                  }
                }));
      }
      Thread.sleep(WARM_UP.toMillis());
      long warmHeap = heapAfterFullGc(broker);
      for (Future<?> worker : workers) {
        worker.get(DURATION.toSeconds() + 30, TimeUnit.SECONDS);
      }
      pool.shutdown();
      long finalHeap = heapAfterFullGc(broker);
      long rss = rssKb(broker.pid());
      System.out.printf(
          "Soak: %d s, requests=%d (%.0f/s), errors=%d, heap after GC warm=%d MB end=%d MB,"
              + " RSS=%d MB%n",
          DURATION.toSeconds(),
          requests.get(),
          requests.get() / (double) DURATION.toSeconds(),
          errors.get(),
          warmHeap >> 20,
          finalHeap >> 20,
          rss >> 10);
      assertThat(errors.get()).isZero();
      assertThat(requests.get()).isPositive();
      assertThat(finalHeap).isLessThan(warmHeap * 3 / 2 + (32L << 20));
    }
  }

  private static void count(int[] statuses, AtomicLong requests, AtomicLong errors) {
    requests.addAndGet(statuses.length);
    for (int status : statuses) {
      if (status >= 300) {
        errors.incrementAndGet();
      }
    }
  }

  private static int[] registerAndLogOut(
      BrokerProcess broker, TestIssuer issuer, String clientId, String accessToken, String sid) {
    String register =
        "{\"sessionId\":\"S-" + sid + "\",\"sid\":\"" + sid + "\",\"sub\":\"u-" + sid + "\"}";
    int registered =
        status(
            HttpRequest.newBuilder(URI.create(broker.url() + "/api/v1/sessions"))
                .header("Authorization", "Bearer " + accessToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(register))
                .build());
    String form =
        "logout_token="
            + URLEncoder.encode(
                issuer.logoutToken(clientId, sid, "u-" + sid), StandardCharsets.UTF_8);
    int loggedOut =
        status(
            HttpRequest.newBuilder(URI.create(broker.url() + "/backchannel-logout"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    return new int[] {registered, loggedOut};
  }

  private static int status(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 599;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 599;
    }
  }

  /** Heap in use right after a full GC of the broker JVM, from jcmd. */
  private static long heapAfterFullGc(BrokerProcess broker) throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    run(jcmd, Long.toString(broker.pid()), "GC.run");
    String info = run(jcmd, Long.toString(broker.pid()), "GC.heap_info");
    // e.g. " garbage-first heap   total 262144K, used 41234K [0x..."
    java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
    if (!used.find()) {
      throw new IllegalStateException("jcmd GC.heap_info gave no 'used': " + info);
    }
    return Long.parseLong(used.group(1)) * 1024;
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(30, TimeUnit.SECONDS);
    return output;
  }

  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }
}
