package io.sessionbroker.broker.session;

/**
 * Redis has too little room left for new registrations: the rest is kept for revocations (SPEC §5).
 * Answered {@code 503 registry_full} with {@code Retry-After}; the registration was not stored.
 */
public class RegistryFullException extends RuntimeException {

  public RegistryFullException(String message) {
    super(message);
  }
}
