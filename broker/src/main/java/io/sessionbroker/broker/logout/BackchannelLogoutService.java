package io.sessionbroker.broker.logout;

import io.micrometer.core.instrument.MeterRegistry;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import io.sessionbroker.broker.session.RevocationService;
import io.sessionbroker.broker.token.SignedJwtVerifier;
import io.sessionbroker.broker.token.TokenRejectedException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Verifies a logout token and records its revocation: decode and verify the signature, judge the
 * claims, skip a replay, revoke, then remember the {@code jti}. The {@code jti} is recorded only
 * after the revocation, so a failure in between lets a resent token do the work again.
 */
@ApplicationScoped
public class BackchannelLogoutService {

  private static final Logger LOG = Logger.getLogger(BackchannelLogoutService.class);

  private final SignedJwtVerifier verifier;
  private final LogoutTokenValidator validator;
  private final ProcessedTokens processedTokens;
  private final RevocationService revocations;
  private final MeterRegistry metrics;
  private final Duration jtiRetention;

  BackchannelLogoutService(
      SignedJwtVerifier verifier,
      LogoutTokenValidator validator,
      ProcessedTokens processedTokens,
      RevocationService revocations,
      MeterRegistry metrics,
      SessionBrokerConfig config) {
    this.verifier = verifier;
    this.validator = validator;
    this.processedTokens = processedTokens;
    this.revocations = revocations;
    this.metrics = metrics;
    // A token older than max-token-age is rejected anyway, so its jti need not be kept longer.
    this.jtiRetention =
        config.logout().maxTokenAge().plus(config.logout().clockSkew().multipliedBy(2));
  }

  /**
   * Processes one logout token.
   *
   * @return false when it was a replay of a processed token
   * @throws TokenRejectedException when a rule fails; nothing was changed
   */
  public boolean process(String compactToken) {
    long started = System.nanoTime();
    try {
      return verifyAndRevoke(compactToken);
    } finally {
      metrics
          .timer("sessionbroker.logout.processing")
          .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private boolean verifyAndRevoke(String compactToken) {
    LogoutToken token;
    try {
      token = validator.validate(verifier.verify(compactToken));
    } catch (TokenRejectedException e) {
      for (String violation : e.violations()) {
        metrics
            .counter(
                "sessionbroker.logout.tokens", "outcome", "rejected", "rule", ruleOf(violation))
            .increment();
      }
      // The reason helps operators; the token itself is never logged.
      LOG.debugf("Logout token rejected: %s", e.getMessage());
      throw e;
    }
    String alias = token.issuer().alias();
    if (processedTokens.isProcessed(alias, token.jti())) {
      metrics
          .counter("sessionbroker.logout.tokens", "outcome", "replayed", "rule", "none")
          .increment();
      return false;
    }
    for (String audience : token.audiences()) {
      if (token.sid() != null) {
        revocations.revokeSid(alias, token.sid(), audience, Reason.BACKCHANNEL_LOGOUT);
      } else {
        revocations.revokeUser(
            alias, token.sub(), audience, Reason.BACKCHANNEL_LOGOUT, token.jti());
      }
    }
    processedTokens.markProcessed(alias, token.jti(), jtiRetention);
    metrics
        .counter("sessionbroker.logout.tokens", "outcome", "accepted", "rule", "none")
        .increment();
    return true;
  }

  private static String ruleOf(String violation) {
    int colon = violation.indexOf(':');
    return colon > 0 ? violation.substring(0, colon) : "other";
  }
}
