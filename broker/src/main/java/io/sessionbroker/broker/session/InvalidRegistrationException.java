package io.sessionbroker.broker.session;

/** A registration breaks a rule (conflicting user for a sid, bad expiry...). Answered 400/409. */
public class InvalidRegistrationException extends RuntimeException {

  private final String code;

  public InvalidRegistrationException(String code, String message) {
    super(message);
    this.code = code;
  }

  /** Machine-readable reason, e.g. {@code sub_mismatch}. */
  public String code() {
    return code;
  }
}
