package io.sessionbroker.broker.session;

import java.util.List;

/** The per-client revocation streams and channels (SPEC §3.3). */
public interface EventLog {

  /**
   * Appends the event to its client's stream unless an event with the same {@code dedupeKey} is
   * already there, then publishes the stored payload on the client's channel. A duplicate is
   * published again only when it has the same {@code origin} (a retry of the same revocation, whose
   * first publish may have been lost); subscribers dedupe by id either way.
   *
   * @param origin what caused the event: a logout token's jti or an admin request id
   */
  PublishedEvent appendAndPublish(RevocationEvent event, String dedupeKey, String origin);

  /** Events of a client's stream with an id greater than {@code afterId} (null: from the start). */
  List<PublishedEvent> read(String issuer, String clientId, String afterId, int limit);
}
