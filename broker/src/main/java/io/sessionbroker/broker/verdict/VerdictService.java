package io.sessionbroker.broker.verdict;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.token.KeysUnavailableException;
import io.sessionbroker.broker.token.TokenRejectedException;
import io.sessionbroker.broker.verdict.Verdict.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Judges bearer access tokens for {@code GET /api/v1/verdict} (SPEC §3.2): a valid access token is
 * allowed unless its {@code sid}, {@code sub} or client was revoked at or after its {@code iat}
 * (whole seconds), as the in-memory {@link RevocationView} says. No Redis call per verdict.
 *
 * <p>A signature check costs tens of microseconds, more than everything else together, and a proxy
 * asks about the same token on every request of its user. So verified tokens are remembered by
 * their SHA-256 (a forged token with a copied payload hashes differently), at most {@code
 * session-broker.verdict.token-cache-size} of them, each until its {@code exp}. Expiry and
 * revocation are judged on every request, cached or not. Refused tokens are never cached, so
 * made-up tokens cannot push out real ones.
 *
 * <p>Metric: counter {@code sessionbroker.verdicts} with tags {@code outcome} ({@code allowed},
 * {@code refused} for 401, {@code unavailable} for 503) and {@code reason} ({@link Reason#tag()}).
 */
@ApplicationScoped
public class VerdictService {

  private static final Logger LOG = Logger.getLogger(VerdictService.class);

  private final AccessTokenVerifier verifier;
  private final RevocationView view;
  private final RevocationFeed feed;
  private final long clockSkewSeconds;
  private final int cacheSize;
  private final Clock clock = Clock.systemUTC();
  private final Map<String, AccessToken> cache = new ConcurrentHashMap<>();
  private final ReentrantLock eviction = new ReentrantLock();
  private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);

  VerdictService(
      AccessTokenVerifier verifier,
      RevocationView view,
      RevocationFeed feed,
      SessionBrokerConfig config,
      MeterRegistry metrics) {
    this.verifier = verifier;
    this.view = view;
    this.feed = feed;
    this.clockSkewSeconds = config.logout().clockSkew().toSeconds();
    this.cacheSize = config.verdict().tokenCacheSize();
    for (Reason reason : Reason.values()) {
      String outcome =
          reason == Reason.ALLOWED ? "allowed" : reason.status() == 401 ? "refused" : "unavailable";
      counters.put(
          reason,
          metrics.counter("sessionbroker.verdicts", "outcome", outcome, "reason", reason.tag()));
    }
    metrics.gauge("sessionbroker.verdict.view.entries", view, RevocationView::size);
    metrics.gauge("sessionbroker.verdict.token.cache.entries", cache, Map::size);
  }

  /**
   * The verdict when it needs no signature check (no token, view not warm, or a cached token), or
   * null. Never blocks: safe on an event loop.
   */
  public Verdict judgeWithoutVerifying(String bearerToken) {
    if (bearerToken == null) {
      return count(new Verdict(Reason.NO_TOKEN, null));
    }
    if (!feed.isWarm()) {
      return count(new Verdict(Reason.NOT_WARM, null));
    }
    AccessToken cached = cacheSize == 0 ? null : cache.get(cacheKey(bearerToken));
    return cached == null ? null : count(judgeVerified(cached));
  }

  /**
   * The full verdict, without holding the calling thread while a key refresh is awaited (SPEC §4):
   * completes at once, on the calling thread, when no key refresh is needed (the signature check
   * then runs on it: call it from a worker thread), else on {@code resumeOn} once the refresh is
   * done. A token with an unknown {@code kid} beyond {@code session-broker.jwks.max-waiting-tokens}
   * waiting ones is answered 503 at once.
   *
   * @return the verdict; never failed for a token or key problem (those are verdicts)
   */
  public CompletableFuture<Verdict> judgeLater(String bearerToken, Executor resumeOn) {
    Verdict quick = judgeWithoutVerifying(bearerToken);
    if (quick != null) {
      return CompletableFuture.completedFuture(quick);
    }
    return verifier
        .verifyLater(bearerToken, resumeOn)
        .handle(
            (token, failure) -> {
              Throwable cause = unwrap(failure);
              if (cause instanceof TokenRejectedException e) {
                // The rule helps operators; the token itself is never logged.
                LOG.debugf("Verdict: token refused: %s", e.getMessage());
                return count(new Verdict(reasonOf(e), null));
              }
              if (cause instanceof KeysUnavailableException e) {
                LOG.warnf("Verdict: %s", e.getMessage());
                return count(new Verdict(Reason.KEYS_UNAVAILABLE, null));
              }
              if (cause != null) {
                throw cause instanceof RuntimeException e ? e : new CompletionException(cause);
              }
              Verdict verdict = judgeVerified(token);
              if (verdict.allowed() && cacheSize > 0) {
                remember(bearerToken, token);
              }
              return count(verdict);
            });
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private Verdict judgeVerified(AccessToken token) {
    long now = clock.instant().getEpochSecond();
    if (now >= token.expiresAt() + clockSkewSeconds) {
      return new Verdict(Reason.EXPIRED, token);
    }
    if (token.issuedAt() > now + clockSkewSeconds) {
      return new Verdict(Reason.INVALID_TOKEN, token);
    }
    // Known from now on to admin revocations, which tell every known client (RevocationService).
    feed.knowClient(token.issuer().alias(), token.clientId());
    Reason reason =
        switch (view.check(
            token.issuer().alias(), token.clientId(), token.sid(), token.sub(), token.issuedAt())) {
          case SESSION -> Reason.SESSION_REVOKED;
          case USER -> Reason.USER_REVOKED;
          case CLIENT -> Reason.CLIENT_REVOKED;
          case NONE -> Reason.ALLOWED;
        };
    return new Verdict(reason, token);
  }

  private void remember(String bearerToken, AccessToken token) {
    if (cache.size() >= cacheSize && !makeRoom()) {
      return;
    }
    cache.put(cacheKey(bearerToken), token);
  }

  /** Drops expired tokens, else about a tenth of the cache. False when another thread is at it. */
  private boolean makeRoom() {
    if (!eviction.tryLock()) {
      return false;
    }
    try {
      long now = clock.instant().getEpochSecond();
      cache.values().removeIf(cached -> now >= cached.expiresAt() + clockSkewSeconds);
      int toDrop = cache.size() - cacheSize + Math.max(1, cacheSize / 10);
      Iterator<String> keys = cache.keySet().iterator();
      while (toDrop-- > 0 && keys.hasNext()) {
        keys.next();
        keys.remove();
      }
      return true;
    } finally {
      eviction.unlock();
    }
  }

  private Verdict count(Verdict verdict) {
    counters.get(verdict.reason()).increment();
    return verdict;
  }

  private static Reason reasonOf(TokenRejectedException e) {
    String rule = e.violations().get(0);
    if (rule.startsWith("typ:")) {
      return Reason.NOT_ACCESS_TOKEN;
    }
    if (rule.startsWith("lifetime:")) {
      return Reason.LIFETIME;
    }
    return Reason.INVALID_TOKEN;
  }

  private static String cacheKey(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
