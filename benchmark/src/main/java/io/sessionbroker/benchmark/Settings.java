package io.sessionbroker.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sizes and durations of one run. The defaults keep a full run under about ten minutes on two
 * cores; {@code --quick} is a smoke run of about three minutes with a smaller registry.
 *
 * @param ssoSessions SSO sessions loaded directly into Redis (about two registrations each)
 * @param connections concurrent keep-alive HTTP connections of the throughput runs
 * @param firstWarmUp unmeasured time before the first throughput run (the JVM's JIT compiles most
 *     of the server then: about 20 s of load on two cores)
 * @param warmUp unmeasured time before each later throughput run
 * @param rounds measured rounds per throughput run (the median is reported)
 * @param round length of one measured round
 * @param probeTokens logout tokens of the unmeasured probe that sizes the throughput run
 * @param maxLogoutTokens upper bound of logout tokens minted for the throughput run
 * @param maxIdTokens upper bound of ID tokens minted for the ID-token registration run
 * @param latencyRate offered logout rate of the listener-latency run, per second
 * @param latencyDuration measured length of the listener-latency run
 * @param latencyWarmUp unmeasured start of the listener-latency run
 * @param latencySenders sender connections of the listener-latency run
 * @param unloadedRate offered rate of the second latency run, far below capacity (the floor)
 * @param unloadedDuration measured length of the second latency run
 * @param queries measured queries per kind (by sid, by sub)
 * @param referenceRounds rounds of each reference measurement
 * @param referenceRound length of one RS256 reference round
 * @param report the markdown file whose generated section is replaced
 * @param csv the raw CSV file
 * @param logoutClients when not 0, the throughput run logs out only SSO sessions with exactly this
 *     many clients ({@code --logout-clients}, to see how the cost grows with clients per sid)
 * @param jfr whether the logout run records a JFR profile ({@code --no-jfr} turns it off)
 * @param brokerProperties extra broker configuration ({@code --broker-property key=value}), to try
 *     a tuning; empty for the documented run
 * @param peerJar the peer app's {@code quarkus-run.jar} for the side-by-side logout run ({@code
 *     --peer}; benchmark/run builds it from shared/peers), {@code null} to leave that run out
 * @param peerTokens distinct logout tokens minted for the side-by-side run (warm-up and measurement
 *     of both targets; a target that needs more is reported as invalid)
 * @param peerOnly run only the references and the side-by-side run ({@code --peer-only}), print
 *     them and write no report
 * @param onlyVerdicts run only the RS256 reference and the verdict run ({@code --only-verdicts}),
 *     print them and write no report
 */
record Settings(
    int ssoSessions,
    int connections,
    Duration firstWarmUp,
    Duration warmUp,
    int rounds,
    Duration round,
    int probeTokens,
    int maxLogoutTokens,
    int maxIdTokens,
    double latencyRate,
    Duration latencyDuration,
    Duration latencyWarmUp,
    int latencySenders,
    double unloadedRate,
    Duration unloadedDuration,
    int queries,
    int referenceRounds,
    Duration referenceRound,
    Path report,
    Path csv,
    int logoutClients,
    boolean jfr,
    Map<String, String> brokerProperties,
    Path peerJar,
    int peerTokens,
    boolean peerOnly,
    boolean onlyVerdicts) {

  static Settings parse(String[] args) {
    boolean quick = false;
    Path peerJar = null;
    int peerTokens = 0;
    boolean peerOnly = false;
    boolean onlyVerdicts = false;
    Path report = Path.of("docs", "benchmarks.md");
    Path csv = Path.of("docs", "benchmarks", "latest.csv");
    int sessions = -1;
    int connections = 16;
    int warmUpSeconds = -1;
    int rounds = -1;
    int roundSeconds = -1;
    Map<String, String> brokerProperties = new LinkedHashMap<>();
    boolean jfr = true;
    int logoutClients = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--report" -> report = Path.of(args[++i]);
        case "--csv" -> csv = Path.of(args[++i]);
        case "--sso-sessions" -> sessions = Integer.parseInt(args[++i]);
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--warm-up-seconds" -> warmUpSeconds = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--round-seconds" -> roundSeconds = Integer.parseInt(args[++i]);
        case "--no-jfr" -> jfr = false;
        case "--peer" -> peerJar = Path.of(args[++i]);
        case "--peer-tokens" -> peerTokens = Integer.parseInt(args[++i]);
        case "--peer-only" -> peerOnly = true;
        case "--only-verdicts" -> onlyVerdicts = true;
        case "--logout-clients" -> logoutClients = Integer.parseInt(args[++i]);
        case "--broker-property" -> {
          String[] pair = args[++i].split("=", 2);
          brokerProperties.put(pair[0], pair[1]);
        }
        default ->
            throw new IllegalArgumentException(
                "unknown argument "
                    + args[i]
                    + "; use --quick, --report <md>, --csv <csv>, --sso-sessions <n>,"
                    + " --connections <n>, --warm-up-seconds <s>, --rounds <n>, --round-seconds <s>,"
                    + " --no-jfr, --logout-clients <1-3>, --broker-property <key=value>, --peer <quarkus-run.jar>,"
                    + " --peer-tokens <n>, --peer-only, --only-verdicts");
      }
    }
    Settings defaults =
        quick
            ? quick(sessions, connections, report, csv)
            : full(sessions, connections, report, csv);
    return defaults.withThroughputRuns(
        warmUpSeconds > 0 ? Duration.ofSeconds(warmUpSeconds) : defaults.firstWarmUp,
        warmUpSeconds > 0 ? Duration.ofSeconds(warmUpSeconds) : defaults.warmUp,
        rounds > 0 ? rounds : defaults.rounds,
        roundSeconds > 0 ? Duration.ofSeconds(roundSeconds) : defaults.round,
        logoutClients,
        jfr,
        brokerProperties,
        peerJar,
        peerTokens > 0 ? peerTokens : defaults.peerTokens,
        peerOnly,
        onlyVerdicts);
  }

  private static Settings quick(int sessions, int connections, Path report, Path csv) {
    {
      return new Settings(
          sessions > 0 ? sessions : 100_000,
          connections,
          Duration.ofSeconds(5),
          Duration.ofSeconds(3),
          3,
          Duration.ofSeconds(2),
          1_500,
          25_000,
          12_000,
          1000,
          Duration.ofSeconds(6),
          Duration.ofSeconds(2),
          32,
          200,
          Duration.ofSeconds(4),
          2_000,
          2,
          Duration.ofSeconds(1),
          report,
          csv,
          0,
          true,
          Map.of(),
          null,
          60_000,
          false,
          false);
    }
  }

  private static Settings full(int sessions, int connections, Path report, Path csv) {
    return new Settings(
        sessions > 0 ? sessions : 500_000,
        connections,
        Duration.ofSeconds(20),
        Duration.ofSeconds(10),
        3,
        Duration.ofSeconds(6),
        3_000,
        150_000,
        200_000,
        1000,
        Duration.ofSeconds(20),
        Duration.ofSeconds(3),
        32,
        200,
        Duration.ofSeconds(10),
        10_000,
        3,
        Duration.ofSeconds(2),
        report,
        csv,
        0,
        true,
        Map.of(),
        null,
        200_000,
        false,
        false);
  }

  private Settings withThroughputRuns(
      Duration firstWarmUp,
      Duration warmUp,
      int rounds,
      Duration round,
      int logoutClients,
      boolean jfr,
      Map<String, String> brokerProperties,
      Path peerJar,
      int peerTokens,
      boolean peerOnly,
      boolean onlyVerdicts) {
    return new Settings(
        ssoSessions,
        connections,
        firstWarmUp,
        warmUp,
        rounds,
        round,
        probeTokens,
        maxLogoutTokens,
        maxIdTokens,
        latencyRate,
        latencyDuration,
        latencyWarmUp,
        latencySenders,
        unloadedRate,
        unloadedDuration,
        queries,
        referenceRounds,
        referenceRound,
        report,
        csv,
        logoutClients,
        jfr,
        Map.copyOf(brokerProperties),
        peerJar,
        peerTokens,
        peerOnly,
        onlyVerdicts);
  }

  Duration throughputRun() {
    return warmUp.plus(round.multipliedBy(rounds));
  }
}
