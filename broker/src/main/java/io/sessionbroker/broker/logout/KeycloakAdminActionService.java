package io.sessionbroker.broker.logout;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.outbox.PendingRevocation;
import io.sessionbroker.broker.outbox.RevocationRecorder;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import io.sessionbroker.broker.session.SessionStore;
import io.sessionbroker.broker.store.RedisFailures;
import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import io.sessionbroker.broker.token.SignedJwtVerifier;
import io.sessionbroker.broker.token.TokenRejectedException;
import io.sessionbroker.broker.token.VerifiedJwt;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jose4j.jwt.JwtClaims;

/**
 * Keycloak's legacy admin-URL actions (SPEC §3.2), with the semantics of Keycloak's own adapters:
 *
 * <ul>
 *   <li>{@code k_logout} with a non-empty {@code keycloakSessionIds} / {@code adapterSessionIds}
 *       list (Keycloak's admin logout of single user sessions) logs out just those SSO sessions:
 *       one {@code session.revoked} per {@code sid}, like a back-channel logout of the client
 *       ({@code adapterSessionIds} are the client's registered session ids, resolved to their sids;
 *       unknown ones are skipped). Its revocation time is the time of receipt.
 *   <li>{@code k_logout} without lists (realm "logout all") and {@code k_push_not_before} cut at
 *       their {@code notBefore}: one {@code client.revoked}, revocation time = {@code notBefore}.
 *   <li>{@code notBefore} 0 ("clear") or lower than one applied already changes nothing; one in the
 *       future beyond the clock skew is refused.
 *   <li>A resent action (same {@code id}, within its {@code expiration}) changes nothing: its id is
 *       remembered once the action is recorded.
 * </ul>
 */
@ApplicationScoped
public class KeycloakAdminActionService {

  /** The {@code action} of {@code k_logout}. */
  public static final String LOGOUT = "LOGOUT";

  /** The {@code action} of {@code k_push_not_before}. */
  public static final String PUSH_NOT_BEFORE = "PUSH_NOT_BEFORE";

  /** Namespace of admin action ids among the processed token ids. */
  private static final String PROCESSED_PREFIX = "keycloak-admin:";

  private final IssuerDirectory issuers;
  private final SignedJwtVerifier verifier;
  private final RevocationRecorder recorder;
  private final ProcessedTokens processedTokens;
  private final SessionStore sessions;
  private final Duration clockSkew;
  private final Clock clock = Clock.systemUTC();

  KeycloakAdminActionService(
      IssuerDirectory issuers,
      SignedJwtVerifier verifier,
      RevocationRecorder recorder,
      ProcessedTokens processedTokens,
      SessionStore sessions,
      SessionBrokerConfig config) {
    this.issuers = issuers;
    this.verifier = verifier;
    this.recorder = recorder;
    this.processedTokens = processedTokens;
    this.sessions = sessions;
    this.clockSkew = config.logout().clockSkew();
  }

  /** Whether an issuer with this alias is configured (else the admin URL is 404). */
  public boolean knows(String alias) {
    return issuers.byAlias(alias).isPresent();
  }

  /**
   * Verifies and applies an admin action sent to {@code /keycloak/{alias}/k_logout} or {@code
   * k_push_not_before}.
   *
   * <p>A JWS whose {@code kid} is unknown waits for the next allowed key refresh (SPEC §4) without
   * holding a thread: the returned stage then completes on {@code resumeOn}.
   *
   * @param expectedAction the action the endpoint stands for
   * @return the action applied; failed with {@link TokenRejectedException} when the JWS or its
   *     content is not acceptable (nothing changed), with {@link
   *     io.sessionbroker.broker.token.KeysUnavailableException} when the keys cannot be fetched, or
   *     with a recording failure (possibly wrapped in a {@link
   *     java.util.concurrent.CompletionException})
   * @throws IllegalArgumentException when no issuer has this alias (see {@link #knows})
   */
  public CompletableFuture<KeycloakAdminAction> apply(
      String alias, String expectedAction, String jws, Executor resumeOn) {
    Issuer issuer =
        issuers
            .byAlias(alias)
            .orElseThrow(() -> new IllegalArgumentException("no issuer with this alias"));
    return verifier
        .verifyLater(jws.trim(), issuer, resumeOn)
        .thenApply(jwt -> record(alias, validate(jwt, expectedAction)));
  }

  private KeycloakAdminAction record(String alias, KeycloakAdminAction action) {
    String processedId = action.actionId() == null ? null : PROCESSED_PREFIX + action.actionId();
    if (processedId != null && alreadyProcessed(alias, processedId)) {
      return action;
    }
    // Without an id, the not-before itself identifies the action.
    String revocationId =
        action.action()
            + ":"
            + (action.actionId() != null
                ? action.actionId()
                : Long.toString(action.notBefore().getEpochSecond()));
    List<PendingRevocation> revocations = new ArrayList<>();
    Set<String> sids = sidsOf(alias, action);
    Instant received = clock.instant();
    for (String sid : sids) {
      revocations.add(
          PendingRevocation.ofSid(
              alias,
              sid,
              null,
              action.clientId(),
              Reason.KEYCLOAK_ADMIN,
              revocationId + ":" + sid,
              received));
    }
    if (action.notBefore().getEpochSecond() > 0) {
      revocations.add(
          PendingRevocation.ofClient(
              alias, action.clientId(), action.notBefore(), Reason.KEYCLOAK_ADMIN, revocationId));
    }
    for (int i = 0; i < revocations.size(); i++) {
      // The last revocation remembers the action id: a failure in between leaves it resendable.
      boolean last = i == revocations.size() - 1;
      recorder.record(revocations.get(i).withJti(last ? processedId : null));
    }
    return action;
  }

  /** The SSO sessions a per-session {@code k_logout} names, directly or by registered session. */
  private Set<String> sidsOf(String alias, KeycloakAdminAction action) {
    Set<String> sids = new LinkedHashSet<>(action.keycloakSessionIds());
    for (String sessionId : action.adapterSessionIds()) {
      sessions.find(alias, action.clientId(), sessionId).ifPresent(r -> sids.add(r.sid()));
    }
    return sids;
  }

  private boolean alreadyProcessed(String alias, String processedId) {
    try {
      return processedTokens.isProcessed(alias, null, processedId);
    } catch (RuntimeException e) {
      // Unknown with Redis down: repeating a revocation is harmless, losing one is not.
      if (RedisFailures.isUnavailable(e)) {
        return false;
      }
      throw e;
    }
  }

  private KeycloakAdminAction validate(VerifiedJwt jwt, String expectedAction) {
    JwtClaims claims = jwt.claims();
    List<String> violations = new ArrayList<>();
    Object action = claims.getClaimValue("action");
    if (!expectedAction.equals(action)) {
      violations.add("action: expected " + expectedAction + " for this endpoint");
    }
    Object resource = claims.getClaimValue("resource");
    String clientId = resource instanceof String text ? text : null;
    if (clientId == null || !LogoutTokenValidator.isCleanId(clientId)) {
      violations.add("resource: missing or not a client id");
    } else if (!jwt.issuer().allowsClient(clientId)) {
      violations.add(
          "resource: the client is not in the allow-list of issuer " + jwt.issuer().alias());
    }
    Instant now = clock.instant();
    Object expiration = claims.getClaimValue("expiration");
    if (!(expiration instanceof Number seconds)) {
      violations.add("expiration: missing");
    } else if (seconds.longValue() < now.getEpochSecond()) {
      violations.add("expiration: the action has expired");
    }
    Object id = claims.getClaimValue("id");
    String actionId =
        id instanceof String text && LogoutTokenValidator.isCleanId(text) ? text : null;
    Object notBeforeClaim = claims.getClaimValue("notBefore");
    long notBefore = 0;
    if (notBeforeClaim instanceof Number number) {
      notBefore = number.longValue();
    } else if (notBeforeClaim != null) {
      violations.add("notBefore: not a number of seconds");
    }
    if (notBefore < 0) {
      violations.add("notBefore: negative");
    } else if (notBefore > now.plus(clockSkew).getEpochSecond()) {
      violations.add(
          "notBefore: in the future beyond the allowed clock skew"
              + " (session-broker.logout.clock-skew); it would refuse every new session of the"
              + " client");
    }
    List<String> keycloakSessionIds = ids(claims, "keycloakSessionIds", violations);
    List<String> adapterSessionIds = ids(claims, "adapterSessionIds", violations);
    if (PUSH_NOT_BEFORE.equals(expectedAction)
        && !(keycloakSessionIds.isEmpty() && adapterSessionIds.isEmpty())) {
      violations.add("adapterSessionIds/keycloakSessionIds: only k_logout names sessions");
    }
    if (!violations.isEmpty()) {
      throw new TokenRejectedException(violations);
    }
    return new KeycloakAdminAction(
        jwt.issuer().alias(),
        expectedAction,
        clientId,
        Instant.ofEpochSecond(notBefore),
        actionId,
        keycloakSessionIds,
        adapterSessionIds);
  }

  /** A list claim of ids; absent or null: empty. */
  private static List<String> ids(JwtClaims claims, String name, List<String> violations) {
    Object value = claims.getClaimValue(name);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> items)) {
      violations.add(name + ": not a list of ids");
      return List.of();
    }
    List<String> ids = new ArrayList<>(items.size());
    for (Object item : items) {
      if (!(item instanceof String text) || !LogoutTokenValidator.isCleanId(text)) {
        violations.add(name + ": an entry is not a clean id (empty, too long, control characters)");
        return List.of();
      }
      ids.add(text);
    }
    return List.copyOf(ids);
  }
}
