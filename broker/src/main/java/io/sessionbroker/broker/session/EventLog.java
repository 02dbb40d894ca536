package io.sessionbroker.broker.session;

import java.util.List;

/** The per-client revocation streams and channels (SPEC §3.3). */
public interface EventLog {

  /**
   * Appends the event to its client's stream unless an event with the same {@code dedupeKey} is
   * already there, then publishes the stored payload on the client's channel (again, for a
   * duplicate: subscribers dedupe by id, and a retried revocation must still reach them live).
   */
  PublishedEvent appendAndPublish(RevocationEvent event, String dedupeKey);

  /** Events of a client's stream with an id greater than {@code afterId} (null: from the start). */
  List<PublishedEvent> read(String issuer, String clientId, String afterId, int limit);
}
