package io.sessionbroker.client;

import java.time.Duration;
import java.util.Optional;

/**
 * The broker refused a registration because Redis's remaining memory is kept for revocations
 * ({@code 503 registry_full}, SPEC §5). Nothing was stored, and room comes back only as
 * registrations expire or are deleted: register again after {@link #retryAfter()}. Until then the
 * local session works without the broker's registration (a logout still reaches it by {@code
 * sid}/{@code sub}, only not by its local session id).
 */
public class RegistryFullException extends BrokerResponseException {

  private static final long serialVersionUID = 1L;

  /** The problem code the broker uses for this case. */
  public static final String PROBLEM_CODE = "registry_full";

  private final Duration retryAfter;

  /**
   * A refusal.
   *
   * @param message what failed, without any token
   * @param retryAfter the answer's {@code Retry-After}, or {@code null} when it had none
   */
  public RegistryFullException(String message, Duration retryAfter) {
    super(message, 503, PROBLEM_CODE);
    this.retryAfter = retryAfter;
  }

  /**
   * How long the broker asked to wait before registering again: its {@code Retry-After} header
   * (delta-seconds, or an HTTP-date counted from when the answer was read); empty when the answer
   * had none or it was unreadable.
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
