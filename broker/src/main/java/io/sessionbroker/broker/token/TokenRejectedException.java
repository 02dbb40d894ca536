package io.sessionbroker.broker.token;

import java.util.List;

/**
 * A token broke one or more validation rules. The message names the rules (and their spec sections)
 * but never contains the token.
 */
public class TokenRejectedException extends RuntimeException {

  private final List<String> violations;

  public TokenRejectedException(List<String> violations) {
    super(String.join("; ", violations));
    this.violations = List.copyOf(violations);
  }

  public TokenRejectedException(String violation) {
    this(List.of(violation));
  }

  /** Each failed rule, in the order checked. */
  public List<String> violations() {
    return violations;
  }
}
