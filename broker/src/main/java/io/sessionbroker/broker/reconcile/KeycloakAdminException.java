package io.sessionbroker.broker.reconcile;

/**
 * Keycloak's admin API gave no usable answer. Never means "the session is gone": whoever catches it
 * revokes nothing.
 */
public class KeycloakAdminException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final boolean issuerWide;

  private KeycloakAdminException(String message, boolean issuerWide, Throwable cause) {
    super(message, cause);
    this.issuerWide = issuerWide;
  }

  /** A failure of one request (a 5xx, a timeout): the next user may still be checked. */
  public static KeycloakAdminException transientFailure(String message, Throwable cause) {
    return new KeycloakAdminException(message, false, cause);
  }

  /** A failure of one request. */
  public static KeycloakAdminException transientFailure(String message) {
    return transientFailure(message, null);
  }

  /**
   * A failure that every further request of this run would repeat (rejected credentials, missing
   * permissions, unknown realm, no token): stop checking this issuer until the next run.
   */
  public static KeycloakAdminException issuerWide(String message, Throwable cause) {
    return new KeycloakAdminException(message, true, cause);
  }

  /** See {@link #issuerWide(String, Throwable)}. */
  public static KeycloakAdminException issuerWide(String message) {
    return issuerWide(message, null);
  }

  /** Whether further requests to this issuer in this run are pointless. */
  public boolean isIssuerWide() {
    return issuerWide;
  }
}
