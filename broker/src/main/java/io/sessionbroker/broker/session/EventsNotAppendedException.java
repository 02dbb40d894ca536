package io.sessionbroker.broker.session;

import io.sessionbroker.broker.session.EventLog.Append;
import io.sessionbroker.broker.session.EventLog.ProcessedJti;
import java.util.List;

/**
 * A revocation changed the registry but its events could not be appended (SPEC §5, partial
 * failure): the registrations are revoked and the apps not told yet. Carries what is still owed so
 * the caller can retry or journal it; appending again is idempotent by each event's dedupe key.
 * {@link #getCause()} tells an outage from a permanent failure.
 */
public class EventsNotAppendedException extends RuntimeException {

  private final transient List<Append> appends;
  private final transient ProcessedJti processed;

  EventsNotAppendedException(List<Append> appends, ProcessedJti processed, RuntimeException cause) {
    super("registrations revoked but " + appends.size() + " event(s) not appended", cause);
    this.appends = List.copyOf(appends);
    this.processed = processed;
  }

  /** The events still owed, with their dedupe keys and origins. */
  public List<Append> appends() {
    return appends;
  }

  /** The logout token to mark processed after them, or null. */
  public ProcessedJti processed() {
    return processed;
  }
}
