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
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Verifies a logout token and records its revocation: decode and verify the signature, judge the
 * claims, skip a replay, record the revocation (in Redis, or in the local journal while Redis is
 * down), then remember the {@code jti}. The {@code jti} is recorded only after the revocation, so a
 * failure in between lets a resent token do the work again. For a token with a {@code sid} and one
 * audience the replay check is read together with the revocation (repeating a revocation changes
 * nothing), and a replay stops before the events.
 */
@ApplicationScoped
public class BackchannelLogoutService {

  private static final Logger LOG = Logger.getLogger(BackchannelLogoutService.class);

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
   * Processes one logout token. When its {@code kid} is unknown it waits for the next allowed key
   * refresh (SPEC §4) without holding a thread: the returned stage completes on {@code resumeOn}
   * once the keys arrive; else it is complete when this returns.
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
        .thenApply(jwt -> revoke(validator.validate(jwt)))
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

  private boolean revoke(LogoutToken token) {
    String alias = token.issuer().alias();
    List<String> audiences = token.audiences();
    if (token.sid() != null && audiences.size() == 1) {
      // The common case (Keycloak names one client): the replay check rides along with the
      // revocation instead of costing a round trip of its own.
      boolean fresh =
          recorder.recordUnlessProcessed(
              PendingRevocation.ofSid(
                  alias,
                  token.sid(),
                  token.sub(),
                  audiences.get(0),
                  Reason.BACKCHANNEL_LOGOUT,
                  token.jti(),
                  token.issuedAt()));
      (fresh ? accepted : replayed).increment();
      return fresh;
    }
    if (alreadyProcessed(alias, token.jti())) {
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
  private boolean alreadyProcessed(String alias, String jti) {
    try {
      return processedTokens.isProcessed(alias, jti);
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
