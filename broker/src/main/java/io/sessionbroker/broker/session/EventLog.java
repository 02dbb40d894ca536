package io.sessionbroker.broker.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

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

  /** One event for {@link #appendAndPublishAll}, with {@link #appendAndPublish}'s arguments. */
  record Append(RevocationEvent event, String dedupeKey, String origin) {}

  /**
   * {@link #appendAndPublish} for each event (they are independent: the streams of different
   * clients), sent together, then {@code processed} marked: the logout token's jti is recorded only
   * after all its events are. On a failure the jti is left unmarked.
   *
   * @param processed the logout token to mark processed after the events, or null
   */
  List<PublishedEvent> appendAndPublishAll(List<Append> appends, ProcessedJti processed);

  /**
   * {@link #appendAndPublishAll} without waiting: the replies arrive on the Redis client's event
   * loop, so a caller on the event loop is never blocked (SPEC §6). Bounded by the Redis timeout.
   *
   * @return the published events, in the order of {@code appends}; or failed as {@link
   *     #appendAndPublishAll} throws (an outage: see {@code RedisFailures#isUnavailable})
   */
  Uni<List<PublishedEvent>> appendAndPublishAllAsync(List<Append> appends, ProcessedJti processed);

  /**
   * A logout token's jti to record as processed for {@code retention}.
   *
   * @param sid the token's {@code sid}, or null when it names none (the marker's place: see {@code
   *     RedisKeys#processedJti})
   */
  record ProcessedJti(String issuer, String sid, String jti, Duration retention) {}

  /**
   * Entries of a client's stream, oldest first, with an id at or after {@code from} (null: from the
   * start); at most {@code limit}, unreadable ones included (with an empty event) so that the
   * caller can move its cursor past them.
   */
  List<ReadEvent> read(String issuer, String clientId, StreamId from, int limit);

  /**
   * One stream entry as read.
   *
   * @param id the entry id, {@code <ms>-<seq>}
   * @param event the event JSON object with {@code id}; empty when the entry is unreadable (not a
   *     JSON object: see {@code EventEntry#read})
   */
  record ReadEvent(String id, Optional<ObjectNode> event) {}
}
