package io.sessionbroker.broker.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import io.sessionbroker.broker.session.RevocationService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Revokes registrations whose Keycloak SSO session ended without a logout (SPEC §5): Keycloak sends
 * nothing when a session expires, is removed by its idle or max timeout, or vanishes with its user.
 *
 * <p>With {@code session-broker.reconciliation.enabled=true} it runs every {@code interval} on its
 * own daemon thread, the first run one interval after start. Each run checks, per issuer with an
 * admin client ({@code session-broker.issuers.<alias>.admin-client-id/-secret}), every user with an
 * active registration: one admin API request per user lists the user's sessions, and each
 * registered {@code sid} absent from Keycloak (online and offline) is revoked with reason {@code
 * expired} through {@link RevocationService}, which appends one event per affected client and
 * publishes it. Requests are spaced to {@code max-requests-per-second}. Only a definite answer
 * revokes (see the package documentation).
 *
 * <p>Each broker replica runs its own job; the runs are idempotent (a revocation is deduplicated by
 * {@code sid}), they only multiply the load on Keycloak.
 *
 * <p>Metrics: {@code sessionbroker.reconciliation.runs}, {@code .revoked} (SSO sessions, tag {@code
 * issuer}) and {@code .errors} (tag {@code issuer}).
 */
@ApplicationScoped
public class ReconciliationJob {

  private static final Logger LOG = Logger.getLogger(ReconciliationJob.class);
  private static final String THREAD_NAME = "session-reconciliation";

  private final boolean enabled;
  private final Duration interval;
  private final RegisteredSessions registry;
  private final ExpiredSessionRevoker revoker;
  private final Map<String, SessionDirectory> directories;
  private final MeterRegistry metrics;
  private final Counter runs;
  private final Predicate<String> leaseForScheduledRun;
  private ScheduledExecutorService scheduler;

  @Inject
  ReconciliationJob(
      SessionBrokerConfig config,
      RegisteredSessions registry,
      RevocationService revocations,
      ReconciliationLease lease,
      MeterRegistry metrics) {
    this(
        config.reconciliation().enabled(),
        config.reconciliation().interval(),
        registry,
        (alias, sid, sub) ->
            revocations.revokeSid(alias, sid, sub, null, Reason.EXPIRED, "reconcile:" + sid),
        adminClients(config),
        // Shorter than the interval, so the next run can take it whoever held it.
        alias ->
            lease.tryAcquire(
                alias, config.reconciliation().interval().multipliedBy(9).dividedBy(10)),
        metrics);
  }

  ReconciliationJob(
      boolean enabled,
      Duration interval,
      RegisteredSessions registry,
      ExpiredSessionRevoker revoker,
      Map<String, SessionDirectory> directories,
      Predicate<String> leaseForScheduledRun,
      MeterRegistry metrics) {
    this.enabled = enabled;
    this.leaseForScheduledRun = leaseForScheduledRun;
    this.interval = interval;
    this.registry = registry;
    this.revoker = revoker;
    this.directories = Collections.unmodifiableMap(new TreeMap<>(directories));
    this.metrics = metrics;
    this.runs =
        Counter.builder("sessionbroker.reconciliation.runs")
            .description("Runs of the job that revokes sessions Keycloak no longer has")
            .register(metrics);
    directories.keySet().forEach(alias -> revokedCounter(alias));
    directories.keySet().forEach(alias -> errorCounter(alias));
  }

  /** One admin client per issuer that has admin credentials; the others are skipped, with why. */
  private static Map<String, SessionDirectory> adminClients(SessionBrokerConfig config) {
    RequestRateLimiter limiter = limiter(config.reconciliation().maxRequestsPerSecond());
    Map<String, SessionDirectory> clients = new LinkedHashMap<>();
    config
        .issuers()
        .forEach(
            (alias, issuer) ->
                adminClient(alias, issuer, config.jwks().timeout(), limiter)
                    .ifPresent(client -> clients.put(alias, client)));
    return clients;
  }

  private static Optional<SessionDirectory> adminClient(
      String alias,
      SessionBrokerConfig.Issuer issuer,
      Duration timeout,
      RequestRateLimiter limiter) {
    Optional<String> clientId = issuer.adminClientId().filter(id -> !id.isBlank());
    Optional<String> secret = issuer.adminClientSecret().filter(s -> !s.isEmpty());
    if (clientId.isEmpty() && secret.isEmpty()) {
      LOG.debugf("Issuer '%s' has no admin client: reconciliation skips it", alias);
      return Optional.empty();
    }
    if (clientId.isEmpty() || secret.isEmpty()) {
      LOG.warnf(
          "Issuer '%s': set both session-broker.issuers.%s.admin-client-id and"
              + " admin-client-secret; reconciliation skips it",
          alias, alias);
      return Optional.empty();
    }
    Optional<KeycloakAdminClient> client =
        KeycloakAdminClient.forIssuer(alias, issuer, timeout, limiter);
    if (client.isEmpty()) {
      LOG.warnf(
          "Reconciliation skips issuer '%s': session-broker.issuers.%s.url is not a Keycloak realm"
              + " URL (<base>/realms/<realm>), so the admin API cannot be derived from it",
          alias, alias);
    }
    return client.map(SessionDirectory.class::cast);
  }

  private static RequestRateLimiter limiter(int perSecond) {
    if (perSecond < 1) {
      LOG.warnf("session-broker.reconciliation.max-requests-per-second is %d; using 1", perSecond);
      return new RequestRateLimiter(1);
    }
    return new RequestRateLimiter(perSecond);
  }

  void start(@Observes StartupEvent startup) {
    if (!enabled) {
      LOG.debug("Reconciliation with Keycloak is off (session-broker.reconciliation.enabled)");
      return;
    }
    if (directories.isEmpty()) {
      LOG.warn(
          "Reconciliation with Keycloak is enabled but no issuer has an admin client"
              + " (session-broker.issuers.<alias>.admin-client-id/-secret): nothing to do");
      return;
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, THREAD_NAME);
              thread.setDaemon(true);
              return thread;
            });
    long period = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::runScheduled, period, period, TimeUnit.MILLISECONDS);
    LOG.infof(
        "Reconciliation with Keycloak every %s for issuers %s", interval, directories.keySet());
  }

  void stop(@Observes ShutdownEvent shutdown) {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  /** A throwing task would never be scheduled again; nothing escapes. */
  private void runScheduled() {
    try {
      run(leaseForScheduledRun);
    } catch (RuntimeException e) {
      LOG.errorf(e, "Reconciliation run failed");
    }
  }

  /**
   * Runs one reconciliation now, on the calling thread, whether or not the schedule is enabled.
   * Runs never overlap: a call waits for a run in progress.
   */
  public ReconciliationReport runOnce() {
    return run(alias -> true);
  }

  /** Reconciles the issuers for which {@code mayRun} says yes (the lease, when scheduled). */
  private synchronized ReconciliationReport run(Predicate<String> mayRun) {
    runs.increment();
    List<IssuerOutcome> outcomes = new ArrayList<>();
    for (Map.Entry<String, SessionDirectory> issuer : directories.entrySet()) {
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
      if (!mayRun.test(issuer.getKey())) {
        LOG.debugf(
            "Reconciliation of issuer '%s' left to the replica holding its lease", issuer.getKey());
        continue;
      }
      long started = System.nanoTime();
      IssuerOutcome outcome =
          new IssuerReconciliation(issuer.getKey(), registry, issuer.getValue(), revoker).run();
      revokedCounter(outcome.alias()).increment(outcome.revoked());
      errorCounter(outcome.alias()).increment(outcome.errors());
      log(outcome, Duration.ofNanos(System.nanoTime() - started));
      outcomes.add(outcome);
    }
    return new ReconciliationReport(outcomes);
  }

  private static void log(IssuerOutcome outcome, Duration took) {
    Logger.Level level =
        outcome.revoked() > 0 || outcome.errors() > 0 ? Logger.Level.INFO : Logger.Level.DEBUG;
    LOG.logf(
        level,
        "Reconciliation of issuer '%s' %s in %d ms: users checked %d, SSO sessions revoked %d,"
            + " errors %d",
        outcome.alias(),
        outcome.completed() ? "completed" : "stopped early",
        took.toMillis(),
        outcome.usersChecked(),
        outcome.revoked(),
        outcome.errors());
  }

  private Counter revokedCounter(String alias) {
    return Counter.builder("sessionbroker.reconciliation.revoked")
        .description("SSO sessions revoked because Keycloak no longer has them")
        .tag("issuer", alias)
        .register(metrics);
  }

  private Counter errorCounter(String alias) {
    return Counter.builder("sessionbroker.reconciliation.errors")
        .description("Failed reconciliation steps; each revoked nothing")
        .tag("issuer", alias)
        .register(metrics);
  }
}
