package io.sessionbroker.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionbroker.client.SessionBrokerClient;
import io.sessionbroker.client.SessionBrokerOptions;
import io.sessionbroker.client.StartPosition;
import io.sessionbroker.testsupport.RedisServer;
import io.sessionbroker.testsupport.TestIssuer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;

/**
 * The Session Broker benchmark (SPEC §6): starts a real {@code redis-server}, an in-process OpenID
 * issuer and the packaged broker in its own JVM ({@code -Xmx256m}), measures throughput, latency,
 * memory and heap, measures the physical references in the same run (RS256 verifications of this
 * runtime, {@code redis-benchmark} on the same Redis), and writes docs/benchmarks.md and a CSV.
 *
 * <p>Run from the repository root with {@code benchmark/run} (see docs/benchmarks.md).
 */
public final class Benchmark {

  static final String ALIAS = "bench";
  static final String LATENCY_CLIENT = "app0";
  static final String COMMAND = "benchmark/run";

  /** Distinct users' access tokens the verdict run cycles through. */
  static final int VERDICT_TOKENS = 1_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Runs only the RS256 reference and the two registration runs, twice (the first pass warms the
   * JIT up), prints them and writes no report: a quick before/after of the registration path.
   */
  static final String ONLY_REGISTRATIONS = "--only-registrations";

  private final Settings settings;
  private final boolean onlyRegistrations;
  private final Results results = new Results();
  private final Path workDir;
  private final Path quarkusApp = Path.of("broker", "target", "quarkus-app");
  private final Dataset dataset;

  private RedisServer redis;
  private TestIssuer issuer;
  private RedisProbe probe;
  private BrokerProcess broker;
  private ResourceMeter meter;
  private final Map<String, String> accessTokens = new HashMap<>();

  private final String command;

  private Benchmark(Settings settings, boolean onlyRegistrations, String command) {
    this.settings = settings;
    this.onlyRegistrations = onlyRegistrations;
    this.command = command;
    this.dataset = new Dataset(settings.ssoSessions());
    String stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(Instant.now().atZone(ZoneOffset.UTC));
    this.workDir = Path.of("benchmark", "target", "run-" + stamp).toAbsolutePath();
  }

  /** Entry point; see {@link Settings#parse} for the arguments. */
  public static void main(String[] args) throws Exception {
    boolean onlyRegistrations = List.of(args).contains(ONLY_REGISTRATIONS);
    Settings settings =
        Settings.parse(
            java.util.Arrays.stream(args)
                .filter(arg -> !arg.equals(ONLY_REGISTRATIONS))
                .toArray(String[]::new));
    if (!Files.exists(Path.of("broker", "target", "quarkus-app", "quarkus-run.jar"))) {
      System.err.println(
          "Run from the repository root after `./mvnw -B install -DskipTests` (benchmark/run does both)");
      System.exit(2);
    }
    new Benchmark(
            settings, onlyRegistrations, String.join(" ", COMMAND, String.join(" ", args)).trim())
        .run();
  }

  private void run() throws Exception {
    long started = System.nanoTime();
    results.settings = settings;
    Files.createDirectories(workDir);
    try (RedisServer redisServer = RedisServer.start();
        TestIssuer testIssuer = TestIssuer.start(ALIAS);
        RedisProbe redisProbe = new RedisProbe(redisServer.uri())) {
      redis = redisServer;
      issuer = testIssuer;
      probe = redisProbe;
      results.machine = machine();
      log("Starting the packaged broker (-Xmx256m) on Redis " + results.machine.redis());
      Map<String, String> config = new java.util.LinkedHashMap<>();
      config.put("quarkus.redis.hosts", redis.uri());
      config.put("session-broker.issuers." + ALIAS + ".url", issuer.url());
      config.putAll(settings.brokerProperties());
      List<String> jvmOptions = new ArrayList<>();
      if (settings.jfr()) {
        // Sampling from the start: starting a recording later deoptimises compiled code, and the
        // JIT then keeps two cores busy for half a minute.
        jvmOptions.add(
            "-XX:StartFlightRecording=name=bench,settings="
                + JfrSummary.writeSamplingSettings(workDir)
                + ",filename="
                + workDir.resolve("broker-start.jfr"));
      }
      try (BrokerProcess brokerProcess =
          new BrokerProcess(quarkusApp.resolve("quarkus-run.jar"), workDir, jvmOptions, config)) {
        broker = brokerProcess;
        meter = new ResourceMeter(broker, probe);
        mintAccessTokens();
        if (settings.onlyVerdicts()) {
          measureRs256();
          measureVerdicts();
          System.out.println(new Report(results).verdictSummary());
          return;
        }
        if (onlyRegistrations) {
          measureRs256();
          // The first pass warms the JIT up, so short runs (a few seconds each) measure compiled
          // code in the second.
          log("First pass (JIT warm-up):");
          measureRegistrations();
          log("Second pass (measured):");
          measureRegistrations();
          logUsagePerOperation("registration (sid)", results.registrationsWithSid);
          logUsagePerOperation("registration (idToken)", results.registrationsWithIdToken);
          return;
        }
        nextLogoutSession = dataset.ssoSessions();
        TokenSet probe = logoutTokens(allocate(settings.probeTokens(), null));
        measureReferences();
        measureSideBySide();
        if (settings.peerOnly()) {
          System.out.println("\n" + new Report(results).sideBySideTable());
          return;
        }
        measureRegistrations();
        probeLogouts(probe);
        CompletableFuture<TokenSet[]> minting = mintLogoutTokensInBackground();
        loadRegistry();
        checkLoadedRegistry();
        TokenSet[] tokens = awaitMinting(minting);
        measureQueries();
        measureVerdicts();
        measureLogoutThroughput(tokens[0]);
        results.listener =
            measureListenerLatency(tokens[1], settings.latencyRate(), settings.latencyDuration());
        results.listenerUnloaded =
            measureListenerLatency(tokens[2], settings.unloadedRate(), settings.unloadedDuration());
        measureHeapAfterLoad();
        summarizeBrokerLog();
        if (!broker.isAlive()) {
          throw new IllegalStateException("The broker died; log: " + broker.logText());
        }
      }
    }
    results.loadAverageAfter = ProcFs.loadAverage();
    results.totalSeconds = (System.nanoTime() - started) / 1e9;
    Report report = new Report(results);
    report.writeMarkdown(settings.report());
    report.writeCsv(settings.csv());
    System.out.println(report.summary());
    log(
        "Wrote "
            + settings.report()
            + " and "
            + settings.csv()
            + " in "
            + Math.round(results.totalSeconds)
            + " s");
  }

  private Results.Machine machine() {
    return new Results.Machine(
        Runtime.getRuntime().availableProcessors(),
        ProcFs.cpuModel(),
        ProcFs.memTotalMib(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        probe.version(),
        DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)),
        command,
        ProcFs.loadAverage());
  }

  private void mintAccessTokens() {
    for (int c = 0; c < Dataset.CLIENTS; c++) {
      String client = Dataset.clientId(c);
      JwtClaims claims = issuer.accessTokenClaims(client);
      claims.setExpirationTimeMinutesInTheFuture(120);
      accessTokens.put(client, issuer.sign(claims));
    }
    JwtClaims admin = issuer.accessTokenClaims("bench-admin", "session-broker-admin");
    admin.setExpirationTimeMinutesInTheFuture(120);
    accessTokens.put("admin", issuer.sign(admin));
  }

  // ---------------------------------------------------------------- references

  private void measureReferences() throws Exception {
    measureRs256();
    log("Reference: redis-benchmark on the same redis-server");
    results.redis =
        RedisBenchmarkReference.measure(redis.uri(), redis.port(), settings.referenceRounds());
    for (RedisBenchmarkReference.Figure figure : results.redis) {
      log(
          String.format(
              "  %-18s %9.0f req/s  p50 %.3f ms  p99 %.3f ms",
              figure.test().name(), figure.rps(), figure.p50Ms(), figure.p99Ms()));
    }
    probe.commands().del("key:__rand_int__");
  }

  private void measureRs256() throws Exception {
    log("Reference: RS256 verifications per second on this JVM (2048-bit key)");
    String sample = logoutToken(0, dataset.client(0, 0));
    results.rs256 =
        Rs256Reference.measure(
            sample,
            issuer.signingKey().getPublicKey(),
            Duration.ofSeconds(1),
            settings.referenceRounds(),
            settings.referenceRound());
    log(
        String.format(
            "  1 thread %.0f/s, 2 threads %.0f/s, jose4j 1 thread %.0f/s",
            results.rs256.oneThread(),
            results.rs256.twoThreads(),
            results.rs256.jose4jOneThread()));
  }

  // ---------------------------------------------------------------- side by side with the peer

  private void measureSideBySide() throws Exception {
    if (settings.peerJar() == null) {
      log("Side by side: no peer app given (--peer); left out");
      return;
    }
    log(
        "Side by side with the peer app "
            + settings.peerJar()
            + ": minting "
            + settings.peerTokens()
            + " logout tokens");
    results.peer =
        new PeerComparison(issuer, workDir, Duration.ofSeconds(10), Duration.ofSeconds(6))
            .run(settings.peerJar(), broker.port(), settings.peerTokens());
    log(String.format("  broker ÷ peer: %.2f", results.peer.ratio()));
  }

  // ---------------------------------------------------------------- registrations

  private void measureRegistrations() throws Exception {
    log("Registrations with explicit sid: " + settings.connections() + " connections");
    int port = broker.port();
    String run = Long.toString(System.nanoTime(), 36);
    ClosedLoopLoad load = new ClosedLoopLoad(port, settings.connections(), 201);
    results.registrationsWithSid =
        load.run(
            (connection, seq) -> {
              String client = Dataset.clientId(connection % Dataset.CLIENTS);
              return Requests.registerWithSid(
                  port,
                  accessTokens.get(client),
                  "reg-" + run + "-" + connection + "-" + seq,
                  new UUID(((long) connection << 40) | seq, 0x5EED_0000_0000_0001L ^ run.hashCode())
                      .toString(),
                  new UUID(connection, seq / 2).toString());
            },
            settings.firstWarmUp(),
            settings.rounds(),
            settings.round(),
            meter);
    logThroughput("registrations/s (sid)", results.registrationsWithSid);

    // Registration with an ID token does the same plus one RS256 verification, so the sid run's
    // best round (with a margin for JIT warm-up still going on there) bounds the tokens needed.
    double seconds = settings.throughputRun().toMillis() / 1000.0 + 2;
    double bestRound =
        results.registrationsWithSid.roundRates().stream()
            .mapToDouble(Double::doubleValue)
            .max()
            .orElse(0);
    int perConnection =
        (int)
            Math.min(
                settings.maxIdTokens() / settings.connections(),
                Math.max(5_000, bestRound * 1.3 * seconds) / settings.connections());
    results.idTokensMinted = perConnection * settings.connections();
    log("Minting " + results.idTokensMinted + " ID tokens");
    String[][] idTokens = new String[settings.connections()][];
    for (int c = 0; c < settings.connections(); c++) {
      String client = Dataset.clientId(c % Dataset.CLIENTS);
      int connection = c;
      idTokens[c] =
          mint(
              perConnection,
              i -> {
                JwtClaims claims =
                    issuer.idTokenClaims(
                        client,
                        new UUID(0x1D70_0000L + connection, i).toString(),
                        new UUID(0x5B00_0000L + connection, i / 2).toString());
                claims.setExpirationTimeMinutesInTheFuture(30);
                return issuer.sign(claims);
              });
    }
    log("Registrations with ID token: " + settings.connections() + " connections");
    results.registrationsWithIdToken =
        load.run(
            (connection, seq) -> {
              if (seq >= idTokens[connection].length) {
                return null;
              }
              String client = Dataset.clientId(connection % Dataset.CLIENTS);
              return Requests.registerWithIdToken(
                  port,
                  accessTokens.get(client),
                  "idt-" + run + "-" + connection + "-" + seq,
                  idTokens[connection][seq]);
            },
            settings.warmUp(),
            settings.rounds(),
            settings.round(),
            meter);
    logThroughput("registrations/s (idToken)", results.registrationsWithIdToken);
  }

  // ---------------------------------------------------------------- registry and memory

  private void loadRegistry() throws Exception {
    long registrations = dataset.registrations();
    log(
        String.format(
            "Loading %,d SSO sessions / %,d registrations into Redis with the broker's Lua scripts",
            dataset.ssoSessions(), registrations));
    long before = probe.usedMemory();
    long started = System.nanoTime();
    long written = new RegistryLoader(redis.uri(), ALIAS).load(dataset, Duration.ofHours(10), 2);
    double seconds = (System.nanoTime() - started) / 1e9;
    long after = probe.usedMemory();
    log(String.format("  %,d registrations in %.1f s", written, seconds));
    results.memory = RegistryMemory.breakdown(probe, dataset, written, seconds, before, after);
    log(String.format("  %.0f bytes per registration", results.memory.bytesPerRegistration()));
  }

  /** The loaded registry must read back through the API exactly as the dataset says. */
  private void checkLoadedRegistry() throws IOException {
    try (HttpConnection http = new HttpConnection(broker.port())) {
      for (int i : new int[] {0, 1, dataset.ssoSessions() / 2, dataset.ssoSessions() - 1}) {
        JsonNode page =
            JSON.readTree(
                http.exchange(
                        Requests.query(
                            broker.port(), accessTokens.get("admin"), "sid", dataset.sid(i)),
                        true)
                    .body());
        int items = page.path("items").size();
        if (items != dataset.clientCount(i)) {
          throw new IllegalStateException(
              "Loaded registry does not read back: sid "
                  + i
                  + " has "
                  + items
                  + " items, expected "
                  + dataset.clientCount(i)
                  + " (did RedisKeys or the Lua scripts change?)");
        }
        for (JsonNode item : page.path("items")) {
          if (!item.path("sub").asText().equals(dataset.sub(i))
              || !"active".equals(item.path("status").asText())) {
            throw new IllegalStateException("Loaded registration reads back wrong: " + item);
          }
        }
      }
      int user = dataset.ssoSessions() / 4;
      JsonNode bySub =
          JSON.readTree(
              http.exchange(
                      Requests.query(
                          broker.port(), accessTokens.get("admin"), "sub", dataset.sub(2 * user)),
                      true)
                  .body());
      int expected = dataset.clientCount(2 * user) + dataset.clientCount(2 * user + 1);
      if (bySub.path("items").size() != expected) {
        throw new IllegalStateException(
            "Query by sub reads " + bySub.path("items").size() + " items, expected " + expected);
      }
    }
    results.checks.add(
        "bulk-loaded registrations read back through GET /api/v1/sessions (by sid and by sub)");
  }

  // ---------------------------------------------------------------- queries

  private void measureQueries() throws IOException {
    int port = broker.port();
    String bearer = accessTokens.get(LATENCY_CLIENT);
    Random random = new Random(42);
    List<byte[]> bySid = new ArrayList<>();
    List<byte[]> bySub = new ArrayList<>();
    long itemsBySub = 0;
    int total = settings.queries() + settings.queries() / 10;
    while (bySid.size() < total) {
      int i = random.nextInt(dataset.ssoSessions());
      if (dataset.hasClient(i, LATENCY_CLIENT)) {
        bySid.add(Requests.query(port, bearer, "sid", dataset.sid(i)));
      }
    }
    while (bySub.size() < total) {
      int user = random.nextInt(dataset.ssoSessions() / 2);
      if (dataset.hasClient(2 * user, LATENCY_CLIENT)
          || dataset.hasClient(2 * user + 1, LATENCY_CLIENT)) {
        bySub.add(Requests.query(port, bearer, "sub", dataset.sub(2 * user)));
        itemsBySub +=
            (dataset.hasClient(2 * user, LATENCY_CLIENT) ? 1 : 0)
                + (dataset.hasClient(2 * user + 1, LATENCY_CLIENT) ? 1 : 0);
      }
    }
    results.meanItemsBySub = itemsBySub / (double) total;
    int warm = settings.queries() / 10;
    log(
        String.format(
            "Queries by sid (%,d, one connection, app token of %s)",
            settings.queries(), LATENCY_CLIENT));
    results.queryBySid =
        QueryLatency.run(port, bySid.subList(0, warm), bySid.subList(warm, total), meter);
    logLatency("  by sid", results.queryBySid.latency());
    log(String.format("Queries by sub (%,d)", settings.queries()));
    results.queryBySub =
        QueryLatency.run(port, bySub.subList(0, warm), bySub.subList(warm, total), meter);
    logLatency("  by sub", results.queryBySub.latency());
  }

  // ---------------------------------------------------------------- verdicts

  /**
   * {@code GET /api/v1/verdict} with {@value #VERDICT_TOKENS} users' access tokens (each with its
   * own sid and sub, valid 50 minutes: under the broker's default max-token-lifetime of 1 h).
   */
  private void measureVerdicts() throws InterruptedException {
    List<String> tokens = new ArrayList<>(VERDICT_TOKENS);
    for (int i = 0; i < VERDICT_TOKENS; i++) {
      JwtClaims claims = issuer.accessTokenClaims(Dataset.clientId(i % Dataset.CLIENTS));
      claims.setSubject(UUID.randomUUID().toString());
      claims.setClaim("sid", UUID.randomUUID().toString());
      claims.setExpirationTimeMinutesInTheFuture(50);
      tokens.add(issuer.sign(claims));
    }
    log(
        String.format(
            "Verdicts (%d connections, %,d users' tokens): %s warm-up, %d rounds of %s",
            settings.connections(),
            VERDICT_TOKENS,
            settings.warmUp(),
            settings.rounds(),
            settings.round()));
    results.verdicts =
        VerdictLoad.run(
            broker.port(),
            tokens,
            settings.connections(),
            settings.warmUp(),
            settings.rounds(),
            settings.round(),
            meter);
    log(
        String.format(
            "  median %.0f/s, rounds %s, failures %d",
            results.verdicts.medianRate(),
            results.verdicts.roundRates().stream().map(r -> String.format("%.0f", r)).toList(),
            results.verdicts.failures()));
    logLatency("  latency", results.verdicts.latency());
  }

  // ---------------------------------------------------------------- logouts

  /** Logout tokens and the sids they log out, in sending order. */
  record TokenSet(int[] sessions, String[] tokens, String[] sids) {
    int size() {
      return tokens.length;
    }
  }

  /** Next SSO session index not yet used by a logout. */
  private int nextLogoutSession;

  /**
   * Reserves SSO sessions for logouts, in index order (each is logged out once).
   *
   * @param requiredClient when not null, only sessions that include this client
   */
  private int[] allocate(int count, String requiredClient) {
    return allocateWhere(
        count, i -> requiredClient == null || dataset.hasClient(i, requiredClient));
  }

  private int[] allocateWhere(int count, java.util.function.IntPredicate accepted) {
    int[] sessions = new int[count];
    int found = 0;
    while (found < count) {
      int i = nextLogoutSession++;
      if (accepted.test(i)) {
        sessions[found++] = i;
      }
    }
    return sessions;
  }

  /** Tokens with the session's first client as audience, or {@link #LATENCY_CLIENT} if given. */
  private TokenSet logoutTokens(int[] sessions, String audience) {
    String[] tokens =
        mint(
            sessions.length,
            k ->
                logoutToken(
                    sessions[k], audience != null ? audience : dataset.client(sessions[k], 0)));
    String[] sids = new String[sessions.length];
    for (int k = 0; k < sessions.length; k++) {
      sids[k] = dataset.sid(sessions[k]);
    }
    return new TokenSet(sessions, tokens, sids);
  }

  private TokenSet logoutTokens(int[] sessions) {
    return logoutTokens(sessions, null);
  }

  private String logoutToken(int i, String audience) {
    JwtClaims claims = issuer.logoutTokenClaims(audience, dataset.sid(i), dataset.sub(i));
    claims.setExpirationTime(
        NumericDate.fromSeconds(Instant.now().plus(Duration.ofMinutes(30)).getEpochSecond()));
    return issuer.sign(claims, "logout+jwt");
  }

  /**
   * An unmeasured burst of logouts: warms the logout path up (JIT) and tells how many tokens the
   * measured run needs. Its sids lie beyond the loaded registry, so they name no registrations.
   */
  private void probeLogouts(TokenSet probe) throws InterruptedException {
    int port = broker.port();
    AtomicInteger next = new AtomicInteger();
    results.probeRate =
        new ClosedLoopLoad(port, settings.connections(), 200)
            .runAll(
                (connection, seq) -> {
                  int k = next.getAndIncrement();
                  return k < probe.size() ? Requests.logout(port, probe.tokens()[k]) : null;
                });
    log(
        String.format(
            "Logout probe (unmeasured, %,d tokens): %.0f/s", probe.size(), results.probeRate));
  }

  /**
   * Mints the measured runs' logout tokens while Redis is being loaded (a phase that measures
   * nothing but memory): for the throughput run 2.5 times the probe's rate over the run, for the
   * latency runs exactly what they send. Sessions are taken after the probe's, in index order; the
   * latency runs' sessions all include {@link #LATENCY_CLIENT}, the audience of their tokens.
   *
   * @return {throughput, latency at the target rate, latency unloaded}
   */
  private CompletableFuture<TokenSet[]> mintLogoutTokensInBackground() {
    double runSeconds = settings.throughputRun().toMillis() / 1000.0;
    int throughput =
        (int)
            Math.max(
                5_000, Math.min(settings.maxLogoutTokens(), 2.5 * results.probeRate * runSeconds));
    int atTarget =
        (int)
            (settings.latencyRate()
                * settings.latencyDuration().plus(settings.latencyWarmUp()).toMillis()
                / 1000.0);
    int unloaded =
        (int)
            (settings.unloadedRate()
                * settings.unloadedDuration().plus(settings.latencyWarmUp()).toMillis()
                / 1000.0);
    nextLogoutSession = 0;
    int[] throughputSessions =
        allocateWhere(
            throughput,
            i ->
                settings.logoutClients() == 0
                    || dataset.clientCount(i) == settings.logoutClients());
    int[] targetSessions = allocate(atTarget, LATENCY_CLIENT);
    int[] unloadedSessions = allocate(unloaded, LATENCY_CLIENT);
    long latencyClients = 0;
    for (int i : targetSessions) {
      latencyClients += dataset.clientCount(i);
    }
    results.clientsPerLatencySid = latencyClients / (double) targetSessions.length;
    if (nextLogoutSession > dataset.ssoSessions()) {
      throw new IllegalStateException(
          "--sso-sessions too small for the logout runs: they need " + nextLogoutSession);
    }
    return CompletableFuture.supplyAsync(
        () -> {
          long started = System.nanoTime();
          TokenSet[] sets = {
            logoutTokens(throughputSessions),
            logoutTokens(targetSessions, LATENCY_CLIENT),
            logoutTokens(unloadedSessions, LATENCY_CLIENT)
          };
          results.mintSeconds = (System.nanoTime() - started) / 1e9;
          return sets;
        });
  }

  private TokenSet[] awaitMinting(CompletableFuture<TokenSet[]> minting) throws Exception {
    long waitStarted = System.nanoTime();
    TokenSet[] sets = minting.get();
    log(
        String.format(
            "Minted %,d logout tokens in %.0f s in the background (waited %.0f s more)",
            sets[0].size() + sets[1].size() + sets[2].size(),
            results.mintSeconds,
            (System.nanoTime() - waitStarted) / 1e9));
    return sets;
  }

  private void measureLogoutThroughput(TokenSet tokens) throws Exception {
    int port = broker.port();
    long clients = 0;
    for (int i : tokens.sessions()) {
      clients += dataset.clientCount(i);
    }
    results.clientsPerLoggedOutSid = clients / (double) tokens.size();
    log(
        String.format(
            "Logout throughput: %d connections, %,d pre-minted tokens%s",
            settings.connections(),
            tokens.size(),
            settings.jfr() ? ", JFR sampling (on since the broker started)" : ""));
    AtomicInteger next = new AtomicInteger();
    Path jfr = workDir.resolve("logout.jfr");
    long memoryBefore = probe.usedMemory();
    ClosedLoopLoad load = new ClosedLoopLoad(port, settings.connections(), 200);
    results.logouts =
        load.run(
            (connection, seq) -> {
              int k = next.getAndIncrement();
              return k < tokens.size() ? Requests.logout(port, tokens.tokens()[k]) : null;
            },
            settings.warmUp(),
            settings.rounds(),
            settings.round(),
            meter);
    if (settings.jfr()) {
      broker.jcmd("JFR.dump", "name=bench", "filename=" + jfr);
    }
    logThroughput("logouts/s", results.logouts);
    results.logoutsProcessed = Math.min(next.get(), tokens.size());
    results.redisBytesPerLogout =
        (probe.usedMemory() - memoryBefore) / (double) results.logoutsProcessed;
    if (settings.jfr() && Files.exists(jfr)) {
      results.logoutProfile =
          JfrSummary.read(jfr, results.logouts.measureStart(), results.logouts.measureEnd(), 15);
      results.jfrFile = display(jfr);
    }
  }

  private ListenerLatency.Result measureListenerLatency(
      TokenSet tokens, double rate, Duration duration) throws Exception {
    int warmUp = (int) (rate * settings.latencyWarmUp().toSeconds());
    int count = (int) Math.min(tokens.size(), warmUp + rate * duration.toSeconds());
    log(
        String.format(
            "Listener latency: %,.0f logouts/s offered, %,d tokens (first %,d unmeasured),"
                + " SessionBrokerClient on %s",
            rate, count, warmUp, LATENCY_CLIENT));
    ListenerLatency latency =
        new ListenerLatency(
            broker.port(),
            java.util.Arrays.copyOf(tokens.sids(), count),
            java.util.Arrays.copyOf(tokens.tokens(), count));
    SessionBrokerOptions options =
        SessionBrokerOptions.builder()
            .redisUri(redis.uri())
            .issuerAlias(ALIAS)
            .clientId(LATENCY_CLIENT)
            .startFrom(StartPosition.NOW)
            .build();
    ListenerLatency.Result result;
    try (SessionBrokerClient client = SessionBrokerClient.start(options, latency)) {
      result = latency.run(rate, warmUp, settings.latencySenders(), 4, meter);
    }
    logLatency("  listener", result.listener());
    logLatency("  HTTP 200", result.response());
    log("  missing events: " + result.missing() + ", failed requests: " + result.failedStatuses());
    // Let a backlog drain before the next phase.
    Thread.sleep(2000);
    return result;
  }

  /** Errors the broker logged over the whole run (its log level is WARN). */
  private void summarizeBrokerLog() {
    List<String> lines = broker.logText().lines().toList();
    long errors = lines.stream().filter(line -> line.contains(" ERROR ")).count();
    long logoutPoolBusy = countPoolBusy(lines, "BackchannelLogoutResource");
    long apiPoolBusy = countPoolBusy(lines, "ProblemMappers");
    results.brokerErrors = errors;
    results.brokerPoolBusyErrors = logoutPoolBusy + apiPoolBusy;
    results.checks.add(
        String.format(
            "broker log (`%s`): %d ERROR lines over the whole run (warm-ups included); %d back-channel"
                + " logouts answered 503 and %d API calls answered 500 because of"
                + " `ConnectionPoolTooBusyException: Connection pool reached max wait queue size`",
            display(broker.log()), errors, logoutPoolBusy, apiPoolBusy));
  }

  private static long countPoolBusy(List<String> lines, String logger) {
    return lines.stream()
        .filter(line -> line.contains(" ERROR ") && line.contains(logger))
        .filter(line -> line.contains("ConnectionPoolTooBusyException"))
        .count();
  }

  private void measureHeapAfterLoad() throws IOException {
    broker.jcmd("GC.run");
    try (HttpConnection http = new HttpConnection(broker.managementPort())) {
      results.heapAfterFullGcBytes = broker.jvmMetrics(http).heapUsedBytes();
    }
    results.peakRssKb = ProcFs.peakRssKb(broker.pid());
  }

  // ---------------------------------------------------------------- helpers

  /** A path as the report shows it: relative to the repository root. */
  private static String display(Path path) {
    return Path.of("").toAbsolutePath().relativize(path.toAbsolutePath()).toString();
  }

  /** Mints tokens on every core (RS256 signing is the slow part: about a millisecond each). */
  private static String[] mint(int count, IntFunction<String> token) {
    return IntStream.range(0, count).parallel().mapToObj(token).toArray(String[]::new);
  }

  private static void logThroughput(String what, ClosedLoopLoad.Result result) {
    log(
        String.format(
            "  %s: median %.0f, rounds %s, failures %d%s",
            what,
            result.medianRate(),
            result.roundRates().stream().map(r -> String.format("%.0f", r)).toList(),
            result.failures(),
            result.sourceExhausted() ? " (ran out of pre-minted tokens)" : ""));
  }

  private static void logUsagePerOperation(String what, ClosedLoopLoad.Result result) {
    ResourceMeter.Usage usage = result.usage();
    log(
        String.format(
            "  %s: broker CPU %.0f µs, Redis CPU %.0f µs per operation (%d measured); broker µs"
                + " by threads %s",
            what,
            usage.brokerCpuSeconds() * 1e6 / result.measuredOperations(),
            usage.redisCpuSeconds() * 1e6 / result.measuredOperations(),
            result.measuredOperations(),
            usage.brokerCpuByThreadGroup().entrySet().stream()
                .map(
                    group ->
                        group.getKey()
                            + " "
                            + Math.round(group.getValue() * 1e6 / result.measuredOperations()))
                .toList()));
  }

  private static void logLatency(String what, Stats.Percentiles p) {
    log(
        String.format(
            "%s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)",
            what, p.p50(), p.p90(), p.p99(), p.max(), p.count()));
  }

  static void log(String line) {
    System.out.println(
        DateTimeFormatter.ofPattern("HH:mm:ss").format(Instant.now().atZone(ZoneOffset.UTC))
            + " "
            + line);
    System.out.flush();
  }
}
