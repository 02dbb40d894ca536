package io.sessionbroker.broker.session;

import io.sessionbroker.broker.store.RedisKeys;
import java.time.Instant;

/**
 * The dedupe keys of revocation events (SPEC §3.3: one event per client per revocation), the only
 * place they are built. A key is its kind, then its fixed-shape parts (decimal numbers), then the
 * one free-form id last, each part after {@link RedisKeys#SEP} (U+001F):
 *
 * <ul>
 *   <li>{@code sid␟<receivedAt ms>␟<generation>␟<sid>}: a logout of an SSO session;
 *   <li>{@code user␟<receivedAt ms>␟<generation>␟<sub>}: a logout of a user;
 *   <li>{@code client␟<revocationId>}: a not-before revocation of a client;
 *   <li>{@code session␟<createdAt ms>␟<sessionId>}: an admin revocation of one registration.
 * </ul>
 *
 * <p>Why this shape: ids may hold any separator an id rule admits ({@code :} is common, e.g. {@code
 * urn:foo:bar}), so a key of {@code <id>:<number>} could equal the key of another id ending in
 * {@code :<number>}, and an event owed would be taken for one already appended. With the kind first
 * (no kind is a prefix of another once followed by U+001F) and only fixed-shape parts before the
 * free-form id, two different revocations never share a key, whatever characters an id holds;
 * U+001F is refused by {@link IdRule} and {@link SubjectRule} besides.
 *
 * <p>Keys of earlier versions ({@code sid:<sid>[:<generation>]}, {@code user:<sub>:<ms>:<gen>},
 * {@code client:<id>}, {@code session:<id>:<ms>}) never hold U+001F, so no key built here equals
 * one of them: a revocation applied again after an upgrade (a retried logout token or admin
 * request, a journaled revocation replayed) appends its event once more, a duplicate that only
 * revokes sessions revoked already, and is never taken for another revocation's event. Journaled
 * owed events carry the key they were built with and keep it, so they dedupe against the marker
 * written before the upgrade.
 */
public final class DedupeKey {

  private static final String SEP = RedisKeys.SEP;

  private DedupeKey() {}

  /**
   * The key of a logout of SSO session {@code sid}.
   *
   * @param receivedAt when the logout was recorded (the sid tombstone's receipt time, kept by its
   *     retries): keeps keys unique once the sid's record expired (after the tombstone TTL, shorter
   *     than the event retention that keeps the markers) and its generations start again
   * @param generation the sid's logout generation (0 for its first logout)
   */
  public static String sidLogout(String sid, Instant receivedAt, long generation) {
    return "sid" + SEP + receivedAt.toEpochMilli() + SEP + generation + SEP + sid;
  }

  /**
   * The key of a logout of user {@code sub}.
   *
   * @param receivedAt when the user's logout record was started (keeps keys unique once the record
   *     expired and its generations start again)
   * @param generation the logout's generation within that record
   */
  public static String userLogout(String sub, Instant receivedAt, long generation) {
    return "user" + SEP + receivedAt.toEpochMilli() + SEP + generation + SEP + sub;
  }

  /** The key of a not-before revocation of a client, by its revocation id. */
  public static String clientRevocation(String revocationId) {
    return "client" + SEP + revocationId;
  }

  /**
   * The key of an admin revocation of one registration of {@code sessionId}.
   *
   * @param createdAt the registration's creation time (a session id registered again after a
   *     revocation is a new registration, owed its own event)
   */
  public static String sessionRevocation(String sessionId, Instant createdAt) {
    return "session" + SEP + createdAt.toEpochMilli() + SEP + sessionId;
  }
}
