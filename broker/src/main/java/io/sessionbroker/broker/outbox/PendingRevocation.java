package io.sessionbroker.broker.outbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.sessionbroker.broker.session.EventLog.Append;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import java.time.Instant;
import java.util.List;

/**
 * An accepted revocation that must reach Redis: applied at once, or journaled and replayed (SPEC
 * §5). One type per kind, each with only the fields its kind has.
 *
 * <p>Serialized as one JSON line of the journal (and of the dead-letter file), so its shape is a
 * stable on-disk format: an object whose {@code "kind"} ({@code SID}, {@code USER}, {@code CLIENT},
 * {@code EVENTS}) comes first and names the type, followed by that type's fields under their names
 * below. Lines of earlier versions, which carried every field of every kind (null where the kind
 * has none), are read as well: the fields a kind never had are ignored. A line without its kind's
 * required fields is refused ({@link IllegalArgumentException} from the constructor, a {@link
 * com.fasterxml.jackson.core.JsonProcessingException} when reading JSON).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(
      value = PendingRevocation.SessionRevocation.class,
      name = PendingRevocation.SessionRevocation.KIND),
  @JsonSubTypes.Type(
      value = PendingRevocation.UserRevocation.class,
      name = PendingRevocation.UserRevocation.KIND),
  @JsonSubTypes.Type(
      value = PendingRevocation.ClientRevocation.class,
      name = PendingRevocation.ClientRevocation.KIND),
  @JsonSubTypes.Type(
      value = PendingRevocation.OwedEvents.class,
      name = PendingRevocation.OwedEvents.KIND)
})
public sealed interface PendingRevocation {

  /** The issuer alias. */
  String issuer();

  /** Why it was revoked (the events' {@code reason}). */
  Reason reason();

  /** Identifies the revocation for event deduplication. */
  String revocationId();

  /**
   * The id to mark processed once applied (a logout token's {@code jti}, a Keycloak admin action's
   * id), or null.
   */
  String jti();

  /**
   * The journal's name for this kind: {@code SID}, {@code USER}, {@code CLIENT} or {@code EVENTS}.
   */
  String kind();

  /**
   * The {@code sid} beside which this revocation's {@link #jti} marker lives (see {@code
   * RedisKeys#processedJti}): the SSO session of a back-channel logout token that named one, else
   * null (a token that names only a user; a Keycloak admin action's id).
   */
  String replayGuardSid();

  /** The same revocation marking another id (or none) as processed. */
  PendingRevocation withJti(String otherJti);

  /**
   * Logout of one SSO session: by a back-channel logout token, or by a Keycloak admin action.
   *
   * @param issuer issuer alias, required
   * @param sid the SSO session, required
   * @param sub the user, when known
   * @param audience the client the logout came for, or null
   * @param notBefore the revocation time (SPEC §3.2): the logout token's {@code iat}, or when the
   *     admin action was received; null: the time it is applied
   * @param reason required
   * @param revocationId required
   * @param jti or null
   */
  @JsonIgnoreProperties({"clientId", "events"})
  record SessionRevocation(
      String issuer,
      String sid,
      String sub,
      String audience,
      Instant notBefore,
      Reason reason,
      String revocationId,
      String jti)
      implements PendingRevocation {

    static final String KIND = "SID";

    public SessionRevocation {
      requireCommon(KIND, issuer, reason, revocationId);
      require(KIND, sid, "a sid");
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public String replayGuardSid() {
      return reason == Reason.BACKCHANNEL_LOGOUT ? sid : null;
    }

    @Override
    public SessionRevocation withJti(String otherJti) {
      return new SessionRevocation(
          issuer, sid, sub, audience, notBefore, reason, revocationId, otherJti);
    }
  }

  /**
   * Logout of every session of a user, by a back-channel logout token that names no {@code sid}.
   *
   * @param issuer issuer alias, required
   * @param sub the user, required
   * @param audience the client the logout came for, or null
   * @param notBefore the revocation time (SPEC §3.2): the logout token's {@code iat}; null: the
   *     time it is applied
   * @param reason required
   * @param revocationId required
   * @param jti or null
   */
  @JsonIgnoreProperties({"sid", "clientId", "events"})
  record UserRevocation(
      String issuer,
      String sub,
      String audience,
      Instant notBefore,
      Reason reason,
      String revocationId,
      String jti)
      implements PendingRevocation {

    static final String KIND = "USER";

    public UserRevocation {
      requireCommon(KIND, issuer, reason, revocationId);
      require(KIND, sub, "a sub");
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public String replayGuardSid() {
      return null;
    }

    @Override
    public UserRevocation withJti(String otherJti) {
      return new UserRevocation(issuer, sub, audience, notBefore, reason, revocationId, otherJti);
    }
  }

  /**
   * Every session of a client issued before a time: Keycloak's realm-wide logout or push
   * not-before.
   *
   * @param issuer issuer alias, required
   * @param clientId the client, required
   * @param notBefore the cut-off (SPEC §3.2), required
   * @param reason required
   * @param revocationId required
   * @param jti or null
   */
  @JsonIgnoreProperties({"sid", "sub", "audience", "events"})
  record ClientRevocation(
      String issuer,
      String clientId,
      Instant notBefore,
      Reason reason,
      String revocationId,
      String jti)
      implements PendingRevocation {

    static final String KIND = "CLIENT";

    public ClientRevocation {
      requireCommon(KIND, issuer, reason, revocationId);
      require(KIND, clientId, "a clientId");
      require(KIND, notBefore, "a notBefore");
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public String replayGuardSid() {
      return null;
    }

    @Override
    public ClientRevocation withJti(String otherJti) {
      return new ClientRevocation(issuer, clientId, notBefore, reason, revocationId, otherJti);
    }
  }

  /**
   * The events of a revocation whose registry changes are done (a partial failure, SPEC §5): only
   * the appends are left, each idempotent by its dedupe key, then its {@link #jti} marked
   * processed.
   *
   * @param issuer issuer alias, required
   * @param sid the SSO session of the revocation they complete, or null
   * @param reason the revocation's, required
   * @param revocationId the revocation's, required
   * @param jti or null
   * @param events the events owed, in order, required (copied)
   */
  @JsonIgnoreProperties({"sub", "audience", "clientId", "notBefore"})
  record OwedEvents(
      String issuer,
      String sid,
      Reason reason,
      String revocationId,
      String jti,
      List<Append> events)
      implements PendingRevocation {

    static final String KIND = "EVENTS";

    public OwedEvents {
      requireCommon(KIND, issuer, reason, revocationId);
      if (events == null) {
        throw new IllegalArgumentException("a revocation of kind EVENTS needs its events");
      }
      events = List.copyOf(events);
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public String replayGuardSid() {
      return reason == Reason.BACKCHANNEL_LOGOUT ? sid : null;
    }

    @Override
    public OwedEvents withJti(String otherJti) {
      return new OwedEvents(issuer, sid, reason, revocationId, otherJti, events);
    }
  }

  /**
   * Logout of an SSO session by a back-channel token or an admin action, identified by {@code jti}
   * (also the id marked processed).
   */
  static SessionRevocation ofSid(
      String issuer,
      String sid,
      String sub,
      String audience,
      Reason reason,
      String jti,
      Instant revocationTime) {
    return new SessionRevocation(issuer, sid, sub, audience, revocationTime, reason, jti, jti);
  }

  /** Logout of a user by a back-channel token without sid, identified by its {@code jti}. */
  static UserRevocation ofUser(
      String issuer,
      String sub,
      String audience,
      Reason reason,
      String jti,
      Instant revocationTime) {
    return new UserRevocation(issuer, sub, audience, revocationTime, reason, jti, jti);
  }

  /** Keycloak's realm-wide logout or push not-before for a client. */
  static ClientRevocation ofClient(
      String issuer, String clientId, Instant notBefore, Reason reason, String revocationId) {
    return new ClientRevocation(issuer, clientId, notBefore, reason, revocationId, null);
  }

  /**
   * What is left of {@code original} after its registry changes: its events, then {@code jti}
   * marked processed (beside the original's replay-guard sid).
   */
  static OwedEvents ofEvents(PendingRevocation original, List<Append> events, String jti) {
    String sid =
        original instanceof SessionRevocation session
            ? session.sid()
            : original instanceof OwedEvents owed ? owed.sid() : null;
    return new OwedEvents(
        original.issuer(), sid, original.reason(), original.revocationId(), jti, events);
  }

  private static void requireCommon(
      String kind, String issuer, Reason reason, String revocationId) {
    require(kind, issuer, "an issuer");
    require(kind, reason, "a reason");
    require(kind, revocationId, "a revocationId");
  }

  private static void require(String kind, Object value, String what) {
    if (value == null) {
      throw new IllegalArgumentException("a revocation of kind " + kind + " needs " + what);
    }
  }
}
