package io.sessionbroker.broker.session;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a registered session is still valid. */
public enum SessionStatus {
  ACTIVE("active"),
  REVOKED("revoked");

  private final String json;

  SessionStatus(String json) {
    this.json = json;
  }

  /** The name used in JSON. */
  @JsonValue
  public String json() {
    return json;
  }
}
