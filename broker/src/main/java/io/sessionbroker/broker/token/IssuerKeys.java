package io.sessionbroker.broker.token;

import io.vertx.core.Context;
import java.io.IOException;
import java.security.Key;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.VerificationJwkSelector;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

/**
 * The signing keys of one issuer (SPEC §4): found through OpenID discovery unless a JWKS URL is
 * configured (both read with {@link IssuerMetadataClient}), cached, and refreshed when a token
 * names an unknown {@code kid}, so Keycloak key rotation needs no broker restart.
 *
 * <p>Refreshes are rate-limited (at most one start per {@code minRefreshInterval}) and coalesced
 * (one in flight per issuer; every token waiting for it shares its result). A token whose {@code
 * kid} is unknown waits for the first refresh that starts after it arrived: at once when one is
 * allowed, else at the next allowed time, so at most {@code minRefreshInterval} plus the fetch
 * timeouts. Keycloak never resends a logout, so a burst of made-up {@code kid}s that used up the
 * allowed refresh must not make a freshly rotated key's logout fail.
 *
 * <p>Waiting holds no thread with {@link #keyForLater}: a token with an unknown {@code kid} gets a
 * pending future on the coalesced refresh, and its processing resumes on the given executor when
 * the keys arrive, so many waiting tokens cost memory, not worker threads. At most {@code
 * session-broker.jwks.max-waiting-tokens} tokens wait per issuer; beyond that a token is not judged
 * ("keys unavailable", answered 503) to bound memory. No caller waits by blocking a thread: every
 * token path (logout, admin action, ID token, verdict) waits this way.
 *
 * <p>A failure to fetch keys (untrusted TLS certificate, connection refused, timeout, HTTP error,
 * not a JWKS) is not a verdict on the token: it is reported as {@link KeysUnavailableException}
 * (answered 503) naming the cause, while keys fetched before stay in use.
 *
 * <p>One instance per issuer on purpose: a cache shared across issuers could verify one realm's
 * token with another realm's keys.
 */
public final class IssuerKeys {

  private static final Logger LOG = Logger.getLogger(IssuerKeys.class);

  /** Runs the fetches; a fetch blocks on HTTP, bounded by the configured timeout. */
  private static final ScheduledExecutorService FETCHER =
      Executors.newScheduledThreadPool(
          2,
          runnable -> {
            Thread thread = new Thread(runnable, "issuer-keys-refresh");
            thread.setDaemon(true);
            return thread;
          });

  /** Keys as fetched, and when ({@link System#nanoTime}). */
  private record KeySet(List<JsonWebKey> keys, long fetchedAtNanos) {}

  private final Issuer issuer;
  private final Optional<String> configuredJwksUrl;
  private final long cacheNanos;
  private final long minRefreshNanos;
  private final Duration timeout;
  private final IssuerMetadataClient metadata;
  private volatile KeySet current;
  private volatile String jwksUrl;
  private volatile String lastError = "keys not loaded yet";
  private final AtomicInteger waitingTokens = new AtomicInteger();
  private final int maxWaitingTokens;

  /** The latest refresh (scheduled, in flight or done) and when it starts; guarded by this. */
  private CompletableFuture<KeySet> latestRefresh;

  private long latestRefreshStartNanos;

  IssuerKeys(
      Issuer issuer,
      Optional<String> jwksUrl,
      Duration cacheDuration,
      Duration minRefreshInterval,
      Duration timeout,
      int maxWaitingTokens) {
    this.issuer = issuer;
    this.maxWaitingTokens = maxWaitingTokens;
    this.configuredJwksUrl = jwksUrl;
    this.cacheNanos = cacheDuration.toNanos();
    this.minRefreshNanos = minRefreshInterval.toNanos();
    this.timeout = timeout;
    this.metadata = new IssuerMetadataClient(timeout);
  }

  /**
   * Loads the keys now when a refresh is allowed, else waits for a refresh that is already fetching
   * (as the startup preload may be when readiness is first asked; not on a Vert.x event loop);
   * returns whether keys are usable. Never throws and never waits for the rate limit.
   */
  public boolean load() {
    long now = System.nanoTime();
    CompletableFuture<KeySet> refresh = startRefresh(now, false);
    if (refresh == null && !Context.isOnEventLoopThread()) {
      refresh = fetching(now);
    }
    if (refresh != null) {
      try {
        refresh.get(fetchBound().toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // lastError says why.
      }
    }
    return isLoaded();
  }

  /** The latest refresh when it has started and is not done yet, else null. */
  private synchronized CompletableFuture<KeySet> fetching(long now) {
    return latestRefresh != null && !latestRefresh.isDone() && now - latestRefreshStartNanos >= 0
        ? latestRefresh
        : null;
  }

  /** Whether usable keys were loaded. */
  public boolean isLoaded() {
    return lastError == null;
  }

  /** Why no keys are usable, or null. */
  public String lastError() {
    return lastError;
  }

  /**
   * The key that verifies {@code jws} (chosen by {@code kid}, and only a signing key whose type
   * fits the token's {@code alg}), without holding a thread while a refresh is awaited: the key at
   * once (a completed future) when a cached key matches, else a future that completes on {@code
   * resumeOn} once the refresh that started after the token arrived is done.
   *
   * @param resumeOn where the work after a refresh runs (the caller's worker pool), never the
   *     fetching thread
   * @return the key; or failed with {@link TokenRejectedException} when no key matches even after
   *     the refresh, or {@link KeysUnavailableException} when the keys cannot be fetched or {@code
   *     maxWaitingTokens} tokens already wait
   */
  public CompletableFuture<Key> keyForLater(JsonWebSignature jws, Executor resumeOn) {
    long arrived = System.nanoTime();
    KeySet keys = current;
    try {
      if (keys != null) {
        if (arrived - keys.fetchedAtNanos() > cacheNanos) {
          startRefresh(arrived, false);
        }
        Key key = select(jws, keys);
        if (key != null) {
          return CompletableFuture.completedFuture(key);
        }
      }
      if (waitingTokens.incrementAndGet() > maxWaitingTokens) {
        waitingTokens.decrementAndGet();
        throw new KeysUnavailableException(
            maxWaitingTokens
                + " tokens with unknown kids already wait for a key refresh of issuer '"
                + issuer.alias()
                + "' (session-broker.jwks.max-waiting-tokens); try again later",
            null);
      }
      CompletableFuture<KeySet> refresh;
      try {
        refresh = refreshFor(arrived, keys == null);
      } catch (RuntimeException e) {
        waitingTokens.decrementAndGet();
        throw e;
      }
      if (!refresh.isDone()) {
        LOG.debugf(
            "A token of issuer '%s' with an unknown kid waits for the next key refresh",
            issuer.alias());
      }
      return refresh
          .copy()
          .orTimeout(minRefreshNanos + fetchBound().toNanos(), TimeUnit.NANOSECONDS)
          // Counted off where the refresh ends, even if the executor refuses the rest.
          .whenComplete((fetched, failure) -> waitingTokens.decrementAndGet())
          .handleAsync(
              (fetched, failure) -> {
                if (failure != null) {
                  throw unavailable(whyNot(failure));
                }
                return matchAfterRefresh(jws, fetched);
              },
              resumeOn);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** How many tokens wait for a key refresh of this issuer now ({@link #keyForLater}). */
  public int waitingTokens() {
    return waitingTokens.get();
  }

  private static String whyNot(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof TimeoutException) {
      return "no answer in time";
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }

  private Key matchAfterRefresh(JsonWebSignature jws, KeySet keys) {
    Key key = select(jws, keys);
    if (key == null) {
      throw new TokenRejectedException(
          "signature: no key of issuer '"
              + issuer.alias()
              + "' matches the token's kid, even after a JWKS refresh"
              + " [OIDC Back-Channel Logout 1.0 §2.6 step 2]");
    }
    return key;
  }

  /**
   * The refresh a token that arrived at {@code arrived} waits for. Without any keys, a refresh
   * already under way is good enough, and when the last one failed and no new one is allowed yet,
   * its failure is the answer at once.
   */
  private CompletableFuture<KeySet> refreshFor(long arrived, boolean noKeys) {
    if (noKeys) {
      synchronized (this) {
        if (latestRefresh != null && !latestRefresh.isDone()) {
          return latestRefresh;
        }
      }
      CompletableFuture<KeySet> refresh = startRefresh(arrived, false);
      if (refresh == null) {
        throw unavailable(lastError);
      }
      return refresh;
    }
    return startRefresh(arrived, true);
  }

  /**
   * The first refresh that starts at or after {@code notBefore}: the latest one if it does, else a
   * new one, started now when the rate limit allows, else scheduled for the next allowed time (or
   * null when {@code mayWait} is false).
   */
  private synchronized CompletableFuture<KeySet> startRefresh(long notBefore, boolean mayWait) {
    if (latestRefresh != null && latestRefreshStartNanos - notBefore >= 0) {
      return latestRefresh;
    }
    long now = System.nanoTime();
    long allowedAt = latestRefresh == null ? now : latestRefreshStartNanos + minRefreshNanos;
    long delay = Math.max(0, allowedAt - now);
    if (delay > 0 && !mayWait) {
      return null;
    }
    CompletableFuture<KeySet> refresh = new CompletableFuture<>();
    latestRefresh = refresh;
    latestRefreshStartNanos = now + delay;
    FETCHER.schedule(() -> fetchInto(refresh), delay, TimeUnit.NANOSECONDS);
    return refresh;
  }

  private KeysUnavailableException unavailable(String why) {
    return new KeysUnavailableException(
        "the signing keys of issuer '" + issuer.alias() + "' cannot be fetched: " + why, null);
  }

  /** Discovery plus JWKS, each bounded by the timeout, plus slack. */
  private Duration fetchBound() {
    return timeout.multipliedBy(2).plusSeconds(1);
  }

  private void fetchInto(CompletableFuture<KeySet> refresh) {
    try {
      KeySet fetched = fetch();
      current = fetched;
      lastError =
          fetched.keys().isEmpty() ? "the JWKS of " + issuer.url() + " holds no keys" : null;
      refresh.complete(fetched);
    } catch (IOException | RuntimeException e) {
      // IssuerMetadataClient words its failures with the URL and the cause.
      String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      lastError = why;
      LOG.warnf("Signing keys of issuer '%s' could not be fetched: %s", issuer.alias(), why);
      refresh.completeExceptionally(new IOException(why, e));
    }
  }

  private KeySet fetch() throws IOException {
    String url = jwksUrl;
    if (url == null) {
      url = configuredJwksUrl.isPresent() ? configuredJwksUrl.get() : discoverJwksUrl();
      jwksUrl = url;
    }
    return new KeySet(metadata.fetchJwks(url).getJsonWebKeys(), System.nanoTime());
  }

  private String discoverJwksUrl() throws IOException {
    IssuerMetadata document = metadata.discover(issuer.url());
    if (!document.namesIssuer(issuer.url())) {
      throw new IOException(
          "OpenID discovery "
              + document.discoveryUrl()
              + " names issuer '"
              + document.issuer()
              + "', not the configured '"
              + issuer.url()
              + "': fix session-broker.issuers."
              + issuer.alias()
              + ".url (Keycloak's frontend URL decides the issuer; it must match exactly)");
    }
    return document.requireJwksUri();
  }

  private static Key select(JsonWebSignature jws, KeySet keys) {
    try {
      JsonWebKey key = new VerificationJwkSelector().select(jws, keys.keys());
      return key == null ? null : key.getKey();
    } catch (JoseException e) {
      return null;
    }
  }
}
