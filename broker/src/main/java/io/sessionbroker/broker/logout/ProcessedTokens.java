package io.sessionbroker.broker.logout;

import java.time.Duration;

/**
 * The replay guard: {@code jti}s of logout tokens whose revocation is fully recorded. Implemented
 * over Redis in the store package.
 */
public interface ProcessedTokens {

  /** Whether the token was processed already. */
  boolean isProcessed(String issuer, String jti);

  /** Records the token as processed, for {@code retention}. Call only after the revocation. */
  void markProcessed(String issuer, String jti, Duration retention);
}
