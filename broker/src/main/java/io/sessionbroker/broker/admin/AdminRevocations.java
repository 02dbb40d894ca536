package io.sessionbroker.broker.admin;

import io.sessionbroker.broker.reconcile.KeycloakSsoSessions;
import io.sessionbroker.broker.session.PublishedEvent;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import io.sessionbroker.broker.session.RevocationService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * An administrator's revocation by {@code sid} or by {@code sub} (SPEC §3.2, {@code POST
 * /api/v1/revocations}; also the operator page's button): the broker records its revocation first,
 * which is authoritative, and then ends the SSO session(s) at Keycloak when the issuer has an admin
 * client, so the user's next sign-in starts a fresh session instead of reusing the revoked one.
 */
@ApplicationScoped
public class AdminRevocations {

  /**
   * What one admin revocation did.
   *
   * @param events the events appended, one per affected client
   * @param keycloakSession what happened to the Keycloak session: {@link
   *     KeycloakSsoSessions#ENDED}, {@link KeycloakSsoSessions#ALREADY_ENDED}, {@link
   *     KeycloakSsoSessions#NOT_CONFIGURED}, {@link KeycloakSsoSessions#UNCHANGED}, or {@link
   *     KeycloakSsoSessions#FAILED} and why
   * @param keycloakSessionNote what that means for the user, {@code null} when Keycloak's session
   *     ended
   */
  public record Outcome(
      List<PublishedEvent> events, String keycloakSession, String keycloakSessionNote) {

    static Outcome of(List<PublishedEvent> events, String keycloakSession) {
      return new Outcome(events, keycloakSession, noteFor(keycloakSession));
    }
  }

  private final RevocationService revocations;
  private final KeycloakSsoSessions keycloakSessions;

  AdminRevocations(RevocationService revocations, KeycloakSsoSessions keycloakSessions) {
    this.revocations = revocations;
    this.keycloakSessions = keycloakSessions;
  }

  /** Revokes one SSO session of issuer {@code issuerAlias}, then ends it at Keycloak. */
  public Outcome bySid(String issuerAlias, String sid) {
    List<PublishedEvent> events =
        revocations.revokeSid(
            issuerAlias, sid, null, null, Reason.ADMIN, "admin:" + UUID.randomUUID());
    return Outcome.of(events, keycloakSessions.endSession(issuerAlias, sid));
  }

  /**
   * Revokes every session of a user of issuer {@code issuerAlias}, then logs the user out at
   * Keycloak.
   */
  public Outcome bySub(String issuerAlias, String sub) {
    List<PublishedEvent> events =
        revocations.revokeUser(issuerAlias, sub, null, Reason.ADMIN, UUID.randomUUID().toString());
    return Outcome.of(events, keycloakSessions.logoutUser(issuerAlias, sub));
  }

  /** The outcome of revoking one app session, which leaves the SSO session alone. */
  public static Outcome ofOneSession(PublishedEvent event) {
    return Outcome.of(List.of(event), KeycloakSsoSessions.UNCHANGED);
  }

  /** What a Keycloak outcome means for the user, {@code null} when the SSO session ended. */
  static String noteFor(String keycloakSession) {
    if (KeycloakSsoSessions.NOT_CONFIGURED.equals(keycloakSession)) {
      return "the issuer has no admin client (session-broker.issuers.<alias>.admin-client-id):"
          + " the Keycloak SSO session lives on, so the user's next sign-in reuses it and its"
          + " registrations are refused until it ends; end it in Keycloak's admin console";
    }
    if (keycloakSession.startsWith(KeycloakSsoSessions.FAILED)) {
      return "the broker's revocation stands, but the Keycloak SSO session may live on: end it in"
          + " Keycloak's admin console";
    }
    if (KeycloakSsoSessions.UNCHANGED.equals(keycloakSession)) {
      return "one app session was revoked; the user's SSO session and other apps are untouched";
    }
    return null;
  }
}
