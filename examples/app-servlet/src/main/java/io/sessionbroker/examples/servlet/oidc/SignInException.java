package io.sessionbroker.examples.servlet.oidc;

/** A sign-in that cannot complete; the message never holds a token or a secret. */
public final class SignInException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure with a message for the log and the error page. */
  public SignInException(String message) {
    super(message);
  }

  /** A failure caused by another exception. */
  public SignInException(String message, Throwable cause) {
    super(message, cause);
  }
}
