package io.sessionbroker.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a revocation check answers for a session the local revoked set can no longer judge (SPEC
 * §3.4).
 *
 * <p>The revoked set is bounded: beyond {@link SessionBrokerOptions#revokedSetMaxEntries()} it
 * evicts its oldest entries, and it drops entries {@link SessionBrokerOptions#revokedEntryTtl()}
 * after their event. Either way it raises its <em>watermark</em>: "every revocation before this
 * instant may have been forgotten". A session created before the watermark (allowing for {@link
 * SessionBrokerOptions#clockSkew()}) and not found revoked is <em>unknown</em>, and this policy
 * decides. Sessions created after the watermark never reach it, so it is called rarely: only after
 * an eviction or an expiry, and only for sessions older than the forgotten revocations.
 *
 * <p>Called on request threads, concurrently; an implementation must be thread-safe. An exception
 * it throws is treated as "revoked" (fail closed).
 */
@FunctionalInterface
public interface ForgottenRevocationPolicy {

  /** Default: every unknown session counts as revoked; its user signs in again. */
  ForgottenRevocationPolicy TREAT_AS_REVOKED = (sid, sub, createdAt) -> true;

  /**
   * Whether the unknown session is revoked.
   *
   * @param sid the session's SSO session id, or {@code null}
   * @param sub the session's user, or {@code null}
   * @param createdAt when the session was created (signed in), or the token's {@code iat}
   */
  boolean isRevoked(String sid, String sub, Instant createdAt);

  /**
   * Re-checks an unknown session over HTTP with the broker's REST API ({@code GET
   * /api/v1/sessions?sid=}): revoked when any registration of its {@code sid} is revoked, when it
   * has no {@code sid}, when the broker knows no registration of it, or when the broker cannot be
   * asked (fail closed). Answers are cached for {@code cacheFor} (at most 10,000 of them), so one
   * session costs at most one call per period.
   *
   * <p>Only sessions the application registered can be confirmed live this way; an application that
   * keeps no registrations should keep {@link #TREAT_AS_REVOKED}.
   *
   * @param api the registration client (its bearer token is the app's service-account token)
   * @param cacheFor how long an answer is reused, e.g. one minute
   */
  static ForgottenRevocationPolicy recheckOverHttp(
      SessionRegistrationClient api, Duration cacheFor) {
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(cacheFor, "cacheFor");
    Logger log = LoggerFactory.getLogger(ForgottenRevocationPolicy.class);
    record Answer(boolean revoked, long atNanos) {}
    Map<String, Answer> cache = new ConcurrentHashMap<>();
    return (sid, sub, createdAt) -> {
      if (sid == null) {
        return true;
      }
      long now = System.nanoTime();
      Answer cached = cache.get(sid);
      if (cached != null && now - cached.atNanos() < cacheFor.toNanos()) {
        return cached.revoked();
      }
      boolean revoked;
      try {
        List<SessionRecord> records = api.sessionsOfSid(sid);
        revoked = records.isEmpty() || records.stream().anyMatch(record -> !record.isActive());
      } catch (SessionBrokerException e) {
        log.warn(
            "Re-check of a session beyond the revoked set's watermark failed: {}", e.getMessage());
        return true;
      }
      if (cache.size() >= 10_000) {
        cache.clear();
      }
      cache.put(sid, new Answer(revoked, now));
      return revoked;
    };
  }
}
