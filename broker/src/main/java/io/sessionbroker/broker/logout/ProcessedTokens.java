package io.sessionbroker.broker.logout;

import java.time.Duration;

/**
 * The replay guard (SPEC §4): ids of logout tokens (and Keycloak admin actions) whose revocation is
 * fully recorded. Implemented over Redis in the store package; a token that names a {@code sid}
 * keeps its marker beside that SSO session (see {@code RedisKeys#processedJti}).
 */
public interface ProcessedTokens {

  /**
   * Whether the token was processed already.
   *
   * @param sid the token's {@code sid}, or null when it names none (a user, an admin action)
   */
  boolean isProcessed(String issuer, String sid, String jti);

  /**
   * Records the token as processed, for {@code retention}. Call only after the revocation.
   *
   * @param sid the token's {@code sid}, or null when it names none
   */
  void markProcessed(String issuer, String sid, String jti, Duration retention);
}
