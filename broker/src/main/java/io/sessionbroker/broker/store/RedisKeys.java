package io.sessionbroker.broker.store;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.IdRule;
import io.sessionbroker.broker.session.SubjectRule;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Every Redis key and channel name the broker uses, in one place.
 *
 * <p>Layout (prefix {@code sb}, issuer alias {@code acme}):
 *
 * <ul>
 *   <li>{@code sb:sid:{acme:<sid>}} hash: one SSO session: its registrations, verified user and
 *       logout tombstones, fields and values as {@link SidHash} defines them. Registration and
 *       logout of one {@code sid} are single Lua scripts on this one key, so they are atomic, also
 *       in Redis Cluster.
 *   <li>{@code sb:cs:{acme:<clientId>:<bucket>}} hash: index {@code sessionId -> expiry,sid} of one
 *       client, spread over {@value #CLIENT_BUCKETS} buckets so each stays a compact listpack.
 *   <li>{@code sb:us:{acme:<bucket>}} hash: index {@code <sid> -> expiry,digest of the sub} by user
 *       (the bucket is the sub's), spread over {@value #USER_BUCKETS} buckets. Index entries of
 *       both indexes are written and read by {@link IndexEncoding} only (UUID sids stored compact).
 *       Field and value stay under Redis' {@code hash-max-listpack-value} (64 bytes) for UUID ids
 *       and a bucket under {@code hash-max-listpack-entries} (128) up to about 600,000 SSO sessions
 *       per issuer, so buckets stay listpacks.
 * </ul>
 *
 * <p>Times in stored values (expiry, creation, revocation) are epoch milliseconds in base 36
 * ({@link #encodeTime}): 8 characters instead of 13. The sid hash's tombstone stays decimal ({@link
 * SidHash.Tombstone}).
 *
 * <ul>
 *   <li>{@code sb:clients:{acme}} set: client ids that ever registered (to page over all).
 *   <li>{@code sb:user-nbf:{acme:<sub>}}, {@code sb:client-nbf:{acme:<clientId>}}: "revoked before"
 *       times of {@code user.revoked} / {@code client.revoked}. A sub outside {@link IdRule} (a
 *       user-storage id with spaces, braces or non-ASCII letters) is written as {@link #subInKey}
 *       encodes it, here and in the user's logout record.
 *   <li>{@code sb:user-logout:{acme:<sub>}} hash: the user's current logout ({@code
 *       lua/user_logout.lua}; fields as {@link SidHash} describes), which names the events of a
 *       logout by {@code sub} so each client gets one per logout. Same slot as the user's marker.
 *   <li>{@code sb:jti:{acme:<sid>}:<jti>}: a processed logout token (replay guard) that names a
 *       {@code sid}. Its hash tag is the sid hash's, so the marker lives in the sid's slot and
 *       {@code lua/revoke_sid.lua} reads it atomically with the revocation, also in Redis Cluster.
 *       A token with only a {@code sub}: {@code sb:jti:{acme}:<jti>}.
 *   <li>{@code sb:cursor-key}: the key that signs paging cursors, created once with {@code SET NX}.
 *   <li>{@code sb:events:acme:<clientId>} stream and {@code sb:revocations:acme:<clientId>}
 *       channel: the public contract of SPEC §3.3, names fixed. {@code
 *       {sb:events:acme:<clientId>}:d:<key>} marks an event already appended; its hash tag is the
 *       whole stream name, so it lives in the stream's slot and the append stays atomic.
 * </ul>
 */
@ApplicationScoped
public class RedisKeys {

  /** Separator inside hash fields; input validation rejects control characters in ids and subs. */
  public static final String SEP = "\u001f";

  /** Buckets per client index. A query by client walks them in order. */
  public static final int CLIENT_BUCKETS = 1024;

  /** Buckets of the user index of an issuer. */
  public static final int USER_BUCKETS = 8192;

  private final String prefix;

  @Inject
  RedisKeys(SessionBrokerConfig config) {
    this(config.redis().keyPrefix());
  }

  /** For tests and tools. */
  public RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  /** The hash of one SSO session. */
  public String sid(String alias, String sid) {
    return prefix + ":sid:{" + alias + ":" + sid + "}";
  }

  /** The client index bucket that holds {@code sessionId}. */
  public String clientSessions(String alias, String clientId, String sessionId) {
    return clientSessionsBucket(alias, clientId, bucketOf(sessionId, CLIENT_BUCKETS));
  }

  /** One client index bucket, for paging over a client's sessions. */
  public String clientSessionsBucket(String alias, String clientId, int bucket) {
    return prefix + ":cs:{" + alias + ":" + clientId + ":" + bucket + "}";
  }

  /** The user index bucket that holds {@code sub}. */
  public String userSessions(String alias, String sub) {
    return userSessionsBucket(alias, bucketOf(sub, USER_BUCKETS));
  }

  /** One user index bucket, for walking every user of an issuer (reconciliation job). */
  public String userSessionsBucket(String alias, int bucket) {
    return prefix + ":us:{" + alias + ":" + bucket + "}";
  }

  /** The set of client ids of an issuer that registered sessions. */
  public String clients(String alias) {
    return prefix + ":clients:{" + alias + "}";
  }

  /** "Every session of this user issued before" time. */
  public String userNotBefore(String alias, String sub) {
    return prefix + ":user-nbf:{" + alias + ":" + subInKey(sub) + "}";
  }

  /** The logout record of a user (which logout a revocation by {@code sub} belongs to). */
  public String userLogout(String alias, String sub) {
    return prefix + ":user-logout:{" + alias + ":" + subInKey(sub) + "}";
  }

  /**
   * A {@code sub} as key names hold it (inside their hash tag): unchanged when it passes {@link
   * IdRule} (so keys of Keycloak's UUID subs keep their names), else {@code !} and the sub
   * percent-encoded ({@link SubjectRule#percentEncode}) with braces encoded too. No id of {@link
   * IdRule} starts with {@code !}, and the encoding is one-to-one, so two users never share a key;
   * the result holds no brace, space or control character, so a sub can neither end the hash tag
   * early nor move the key to another slot than its tag names.
   */
  static String subInKey(String sub) {
    return IdRule.isValid(sub) ? sub : "!" + SubjectRule.percentEncode(sub, "{}");
  }

  /** "Every session of this client issued before" time. */
  public String clientNotBefore(String alias, String clientId) {
    return prefix + ":client-nbf:{" + alias + ":" + clientId + "}";
  }

  /** Lease that lets one broker replica at a time reconcile an issuer with Keycloak. */
  public String reconciliationLease(String alias) {
    return prefix + ":reconcile-lease:{" + alias + "}";
  }

  /** The key that signs paging cursors, shared by every replica (see CursorSigningKey). */
  public String cursorSigningKey() {
    return prefix + ":cursor-key";
  }

  /** Marker of a processed logout token without a {@code sid} (one that names only a user). */
  public String processedJti(String alias, String jti) {
    return processedJti(alias, null, jti);
  }

  /**
   * Marker of a processed logout token: in the slot of the sid hash ({@link #sid}) when the token
   * names a {@code sid}, so the revocation script checks it in the same atomic step.
   *
   * @param sid the token's {@code sid}, or null for a token that names only a user
   */
  public String processedJti(String alias, String sid, String jti) {
    return sid == null
        ? prefix + ":jti:{" + alias + "}:" + jti
        : prefix + ":jti:{" + alias + ":" + sid + "}:" + jti;
  }

  /** The durable event log of one client (SPEC §3.3). */
  public String eventStream(String alias, String clientId) {
    return prefix + ":events:" + alias + ":" + clientId;
  }

  /** Marker of an event already appended to {@code stream}, in the stream's own hash slot. */
  public String eventDedupe(String stream, String dedupeKey) {
    return "{" + stream + "}:d:" + dedupeKey;
  }

  /** The live revocation channel of one client (SPEC §3.3). */
  public String revocationChannel(String alias, String clientId) {
    return prefix + ":revocations:" + alias + ":" + clientId;
  }

  /**
   * Epoch milliseconds as stored in values: base 36, lower case (Lua's {@code tonumber(s, 36)}).
   */
  public static String encodeTime(long epochMillis) {
    return Long.toString(epochMillis, 36);
  }

  /** The inverse of {@link #encodeTime}. */
  public static long decodeTime(String stored) {
    return Long.parseLong(stored, 36);
  }

  static int bucketOf(String id, int buckets) {
    CRC32 crc = new CRC32();
    crc.update(id.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % buckets);
  }
}
