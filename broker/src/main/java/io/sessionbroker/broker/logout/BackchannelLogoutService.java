package io.sessionbroker.broker.logout;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sessionbroker.broker.outbox.PendingRevocation;
import io.sessionbroker.broker.outbox.RevocationRecorder;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import io.sessionbroker.broker.store.RedisFailures;
import io.sessionbroker.broker.token.SignedJwtVerifier;
import io.sessionbroker.broker.token.TokenRejectedException;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The back-channel logout pipeline after the request: verify the signature (SPEC §4), validate the
 * claims (OIDC Back-Channel Logout 1.0 §2.6), record the revocation (in Redis, or in the local
 * journal while Redis is down: SPEC §5) and publish its events, then remember the {@code jti}. The
 * {@code jti} is recorded only after the revocation, so a failure in between lets a resent token do
 * the work again.
 *
 * <p>The token Keycloak sends (a {@code sid}, one audience) runs without blocking, on the calling
 * event-loop thread and the Redis client's (SPEC §6): its replay check is part of the revocation's
 * script, and a replay changes nothing. Other shapes (only a {@code sub}, several audiences) are
 * rare and take the blocking path on a worker thread.
 */
@ApplicationScoped
public class BackchannelLogoutService {

  private static final Logger LOG = Logger.getLogger(BackchannelLogoutService.class);

  /**
   * The worker pool, looked up when a task runs (it is set when Quarkus starts): where the blocking
   * path of the rare token shapes runs, and where processing resumes after a key refresh, never on
   * the fetching thread nor an event loop.
   */
  static final Executor WORKERS = task -> Infrastructure.getDefaultWorkerPool().execute(task);

  private final SignedJwtVerifier verifier;
  private final LogoutTokenValidator validator;
  private final ProcessedTokens processedTokens;
  private final RevocationRecorder recorder;
  private final MeterRegistry metrics;
  private final Timer processing;
  private final Counter accepted;
  private final Counter replayed;

  BackchannelLogoutService(
      SignedJwtVerifier verifier,
      LogoutTokenValidator validator,
      ProcessedTokens processedTokens,
      RevocationRecorder recorder,
      MeterRegistry metrics) {
    this.verifier = verifier;
    this.validator = validator;
    this.processedTokens = processedTokens;
    this.recorder = recorder;
    this.metrics = metrics;
    // Looked up once: a lookup with tags costs more than the increment.
    this.processing = metrics.timer("sessionbroker.logout.processing");
    this.accepted =
        metrics.counter("sessionbroker.logout.tokens", "outcome", "accepted", "rule", "none");
    this.replayed =
        metrics.counter("sessionbroker.logout.tokens", "outcome", "replayed", "rule", "none");
  }

  /**
   * Processes one logout token; never blocks the calling thread, which may be an event loop. When
   * its {@code kid} is unknown it waits for the next allowed key refresh (SPEC §4) without holding
   * a thread, and resumes on {@code resumeOn} once the keys arrive.
   *
   * @return false when it was a replay of a processed token; failed with {@link
   *     TokenRejectedException} when a rule fails (nothing was changed), with {@link
   *     io.sessionbroker.broker.token.KeysUnavailableException} when the keys cannot be fetched, or
   *     with a recording failure (possibly wrapped in a {@link CompletionException})
   */
  public CompletableFuture<Boolean> process(String compactToken, Executor resumeOn) {
    long started = System.nanoTime();
    return verifier
        .verifyLater(compactToken, resumeOn)
        .thenApply(validator::validate)
        .thenCompose(this::record)
        .whenComplete(
            (fresh, failure) -> {
              if (unwrap(failure) instanceof TokenRejectedException e) {
                countRejection(e);
              }
              processing.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            });
  }

  /** The cause of a failed stage, without the {@link CompletionException} around it. */
  static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private void countRejection(TokenRejectedException e) {
    for (String violation : e.violations()) {
      metrics
          .counter("sessionbroker.logout.tokens", "outcome", "rejected", "rule", ruleOf(violation))
          .increment();
    }
    // The reason helps operators; the token itself is never logged.
    LOG.debugf("Logout token rejected: %s", e.getMessage());
  }

  /** Records the token's revocation and publishes its events; false for a replay. */
  private CompletionStage<Boolean> record(LogoutToken token) {
    List<String> audiences = token.audiences();
    if (token.sid() == null || audiences.size() != 1) {
      return CompletableFuture.supplyAsync(() -> recordBlocking(token), WORKERS);
    }
    // The common case (Keycloak names one client): the replay check rides along with the
    // revocation instead of costing a round trip of its own.
    return recorder
        .recordUnlessProcessed(
            PendingRevocation.ofSid(
                token.issuer().alias(),
                token.sid(),
                token.sub(),
                audiences.get(0),
                Reason.BACKCHANNEL_LOGOUT,
                token.jti(),
                token.issuedAt()))
        .thenApply(
            fresh -> {
              (fresh ? accepted : replayed).increment();
              return fresh;
            });
  }

  /** A token that names only a user, or several clients: one revocation per client, blocking. */
  private boolean recordBlocking(LogoutToken token) {
    String alias = token.issuer().alias();
    List<String> audiences = token.audiences();
    if (alreadyProcessed(alias, token.sid(), token.jti())) {
      replayed.increment();
      return false;
    }
    for (int i = 0; i < audiences.size(); i++) {
      // Only the token's last revocation marks its jti processed: a failure in between leaves
      // the token replayable.
      String jti = i == audiences.size() - 1 ? token.jti() : null;
      PendingRevocation revocation =
          token.sid() != null
              ? PendingRevocation.ofSid(
                  alias,
                  token.sid(),
                  token.sub(),
                  audiences.get(i),
                  Reason.BACKCHANNEL_LOGOUT,
                  token.jti(),
                  token.issuedAt())
              : PendingRevocation.ofUser(
                  alias,
                  token.sub(),
                  audiences.get(i),
                  Reason.BACKCHANNEL_LOGOUT,
                  token.jti(),
                  token.issuedAt());
      recorder.record(revocation.withJti(jti));
    }
    accepted.increment();
    return true;
  }

  /**
   * The replay guard. With Redis down the answer is unknown: treat the token as new, since
   * recording a revocation twice is harmless (events are deduplicated) and losing one is not.
   */
  private boolean alreadyProcessed(String alias, String sid, String jti) {
    try {
      return processedTokens.isProcessed(alias, sid, jti);
    } catch (RuntimeException e) {
      if (RedisFailures.isUnavailable(e)) {
        return false;
      }
      throw e;
    }
  }

  private static String ruleOf(String violation) {
    int colon = violation.indexOf(':');
    return colon > 0 ? violation.substring(0, colon) : "other";
  }
}
