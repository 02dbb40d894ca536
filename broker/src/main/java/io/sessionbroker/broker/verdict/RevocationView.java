package io.sessionbroker.broker.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.config.SessionBrokerConfig.LogoutScope;
import io.sessionbroker.broker.store.RedisKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every client's revocation stream says, kept in memory for verdicts: per SSO session ({@code
 * sid}), per user ({@code sub}) and per client, the latest revocation time in whole epoch seconds.
 * An access token is revoked when such a time is at or after its {@code iat} (the rule of
 * registrations, SPEC §3.2).
 *
 * <p>Keys follow {@code session-broker.logout.scope}: in scope {@code sso} a {@code
 * session.revoked} or {@code user.revoked} event ends the SSO session or the user for every client
 * of the issuer, since Keycloak ended them for all; in scope {@code client} only for the client of
 * the stream. A {@code client.revoked} event is always per client and takes its {@code notBefore}.
 *
 * <p>Bounded by time: an entry is dropped {@code window} after its revocation (the longest token
 * life plus clock skew), when every token it could refuse has expired. Applying an event twice
 * changes nothing, so the live subscription and the stream reads may both deliver it. Reads are
 * lock-free hash lookups.
 */
@ApplicationScoped
public class RevocationView {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SEP = RedisKeys.SEP;

  private final boolean perClient;
  private final long windowSeconds;
  private final Map<String, Long> sids = new ConcurrentHashMap<>();
  private final Map<String, Long> users = new ConcurrentHashMap<>();
  private final Map<String, Long> clients = new ConcurrentHashMap<>();

  @Inject
  RevocationView(SessionBrokerConfig config) {
    this(
        config.logout().scope(),
        config.verdict().maxTokenLifetime().plus(config.logout().clockSkew()));
  }

  /** For tests. */
  RevocationView(LogoutScope scope, Duration window) {
    this.perClient = scope == LogoutScope.CLIENT;
    this.windowSeconds = window.toSeconds();
  }

  /** Which revocation refuses a token, if any. */
  enum Revoked {
    NONE,
    SESSION,
    USER,
    CLIENT
  }

  /**
   * Applies one event (JSON of SPEC §3.3). Unreadable events and unknown types are ignored: the
   * client libraries skip them as well.
   *
   * @return whether the event was understood
   */
  public boolean apply(String eventJson) {
    JsonNode event;
    try {
      event = JSON.readTree(eventJson);
    } catch (IOException e) {
      return false;
    }
    return apply(event);
  }

  /**
   * {@link #apply(String)} for an event already parsed.
   *
   * @return whether the event was understood
   */
  public boolean apply(JsonNode event) {
    if (event == null || !event.isObject() || event.path("v").asInt(-1) != 1) {
      return false;
    }
    String issuer = text(event, "issuer");
    String clientId = text(event, "clientId");
    String type = text(event, "type");
    Long at = seconds(text(event, "at"));
    if (issuer == null || clientId == null || type == null || at == null) {
      return false;
    }
    switch (type) {
      case "session.revoked" -> {
        String sid = text(event, "sid");
        if (sid == null) {
          return false;
        }
        sids.merge(key(issuer, clientId, sid), at, Math::max);
      }
      case "user.revoked" -> {
        String sub = text(event, "sub");
        if (sub == null) {
          return false;
        }
        users.merge(key(issuer, clientId, sub), at, Math::max);
      }
      case "client.revoked" -> {
        Long notBefore = seconds(text(event, "notBefore"));
        clients.merge(issuer + SEP + clientId, notBefore != null ? notBefore : at, Math::max);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a token of this issuer, session, user and client, issued at {@code issuedAt} (epoch
   * seconds), was revoked since.
   *
   * @param sid null for tokens without an SSO session (service accounts)
   * @param sub null when the token names no user
   */
  Revoked check(String issuer, String clientId, String sid, String sub, long issuedAt) {
    if (sid != null && atOrAfter(sids.get(key(issuer, clientId, sid)), issuedAt)) {
      return Revoked.SESSION;
    }
    if (sub != null && atOrAfter(users.get(key(issuer, clientId, sub)), issuedAt)) {
      return Revoked.USER;
    }
    if (atOrAfter(clients.get(issuer + SEP + clientId), issuedAt)) {
      return Revoked.CLIENT;
    }
    return Revoked.NONE;
  }

  /** Drops what no live token can need any more: revocations older than the window. */
  void dropOlderThanWindow(Instant now) {
    long oldest = now.getEpochSecond() - windowSeconds;
    sids.values().removeIf(at -> at < oldest);
    users.values().removeIf(at -> at < oldest);
    clients.values().removeIf(at -> at < oldest);
  }

  /** Remembered revocations (sessions, users and clients). */
  public int size() {
    return sids.size() + users.size() + clients.size();
  }

  private String key(String issuer, String clientId, String id) {
    return perClient ? issuer + SEP + clientId + SEP + id : issuer + SEP + id;
  }

  private static boolean atOrAfter(Long revokedAt, long issuedAt) {
    return revokedAt != null && revokedAt >= issuedAt;
  }

  private static String text(JsonNode event, String field) {
    JsonNode node = event.get(field);
    return node == null || !node.isTextual() || node.asText().isEmpty() ? null : node.asText();
  }

  private static Long seconds(String instant) {
    if (instant == null) {
      return null;
    }
    try {
      return Instant.parse(instant).getEpochSecond();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
