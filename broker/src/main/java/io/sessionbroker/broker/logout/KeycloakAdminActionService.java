package io.sessionbroker.broker.logout;

import io.sessionbroker.broker.outbox.PendingRevocation;
import io.sessionbroker.broker.outbox.RevocationRecorder;
import io.sessionbroker.broker.session.RevocationEvent.Reason;
import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import io.sessionbroker.broker.token.SignedJwtVerifier;
import io.sessionbroker.broker.token.TokenRejectedException;
import io.sessionbroker.broker.token.VerifiedJwt;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.jose4j.jwt.JwtClaims;

/**
 * Keycloak's legacy admin-URL actions. Realm-wide "logout all" and "push not-before" send no logout
 * tokens, only a realm-signed JWS to each client's Admin URL; this turns them into {@code
 * client.revoked} events.
 */
@ApplicationScoped
public class KeycloakAdminActionService {

  /** The {@code action} of {@code k_logout}. */
  public static final String LOGOUT = "LOGOUT";

  /** The {@code action} of {@code k_push_not_before}. */
  public static final String PUSH_NOT_BEFORE = "PUSH_NOT_BEFORE";

  private final IssuerDirectory issuers;
  private final SignedJwtVerifier verifier;
  private final RevocationRecorder recorder;
  private final Clock clock = Clock.systemUTC();

  KeycloakAdminActionService(
      IssuerDirectory issuers, SignedJwtVerifier verifier, RevocationRecorder recorder) {
    this.issuers = issuers;
    this.verifier = verifier;
    this.recorder = recorder;
  }

  /**
   * Verifies and applies an admin action sent to {@code /keycloak/{alias}/k_logout} or {@code
   * k_push_not_before}.
   *
   * @param expectedAction the action the endpoint stands for
   * @throws TokenRejectedException when the JWS or its content is not acceptable
   */
  public KeycloakAdminAction apply(String alias, String expectedAction, String jws) {
    Issuer issuer =
        issuers
            .byAlias(alias)
            .orElseThrow(
                () ->
                    new TokenRejectedException(
                        "issuer: no issuer with this alias is configured in session-broker.issuers"));
    KeycloakAdminAction action = validate(verifier.verify(jws.trim(), issuer), expectedAction);
    if (action.notBefore().getEpochSecond() > 0) {
      recorder.record(
          PendingRevocation.ofClient(
              alias,
              action.clientId(),
              action.notBefore(),
              Reason.KEYCLOAK_ADMIN,
              action.action() + ":" + action.actionId()));
    }
    return action;
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
    Object expiration = claims.getClaimValue("expiration");
    if (!(expiration instanceof Number seconds)) {
      violations.add("expiration: missing");
    } else if (seconds.longValue() < clock.instant().getEpochSecond()) {
      violations.add("expiration: the action has expired");
    }
    Object id = claims.getClaimValue("id");
    String actionId =
        id instanceof String text && LogoutTokenValidator.isCleanId(text) ? text : null;
    Object notBefore = claims.getClaimValue("notBefore");
    Instant effectiveNotBefore =
        Instant.ofEpochSecond(notBefore instanceof Number number ? number.longValue() : 0);
    if (LOGOUT.equals(expectedAction)) {
      // Keycloak sends k_logout while it runs "logout all", and its not-before has whole seconds:
      // every session that began before this moment is gone in Keycloak, including those that
      // began earlier within the same second, so the receipt time is the cut-off.
      Instant received = clock.instant().truncatedTo(ChronoUnit.MILLIS);
      if (received.isAfter(effectiveNotBefore)) {
        effectiveNotBefore = received;
      }
    }
    if (!violations.isEmpty()) {
      throw new TokenRejectedException(violations);
    }
    return new KeycloakAdminAction(
        jwt.issuer().alias(),
        expectedAction,
        clientId,
        effectiveNotBefore,
        // Without an id, the not-before itself identifies the action.
        actionId != null ? actionId : Long.toString(effectiveNotBefore.toEpochMilli()));
  }
}
