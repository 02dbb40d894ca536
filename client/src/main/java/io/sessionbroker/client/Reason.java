package io.sessionbroker.client;

/** Why a revocation happened (the JSON {@code reason} field). */
public enum Reason {

  /** An OpenID Connect back-channel logout token from Keycloak. */
  BACKCHANNEL_LOGOUT("backchannel_logout"),

  /** An administrator revoked through the broker's REST API. */
  ADMIN("admin"),

  /** Keycloak's legacy admin actions ("logout all", "push not-before"). */
  KEYCLOAK_ADMIN("keycloak_admin"),

  /** The SSO session no longer exists in Keycloak (found by reconciliation). */
  EXPIRED("expired"),

  /** A reason this library version does not know yet; the event is still applied. */
  UNKNOWN("unknown");

  private final String wireName;

  Reason(String wireName) {
    this.wireName = wireName;
  }

  /** The value of the JSON {@code reason} field. */
  public String wireName() {
    return wireName;
  }

  /** The reason for a JSON value, {@link #UNKNOWN} for a missing or unknown one. */
  public static Reason fromWireName(String value) {
    for (Reason reason : values()) {
      if (reason.wireName.equals(value)) {
        return reason;
      }
    }
    return UNKNOWN;
  }
}
