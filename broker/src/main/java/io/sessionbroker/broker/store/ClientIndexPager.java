package io.sessionbroker.broker.store;

import io.sessionbroker.broker.session.SessionPage;
import io.sessionbroker.broker.session.SessionQuery;
import io.sessionbroker.broker.session.SessionRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Pages over clients' index buckets in a fixed order (issuer, client, bucket, session id), for
 * queries by client or issuer that can match millions of sessions.
 *
 * <p>Every page costs at most {@code limit + }{@link #EXTRA_REDIS_CALLS} Redis calls (SPEC §3.2):
 * one per index bucket or client list read and one per session read. That is enough to walk all
 * buckets of one client, so a query by client always gets full pages; a walk that runs out of calls
 * (across many clients, or past many index entries of expired sessions) ends the page early,
 * possibly empty, with a {@code next} cursor where it stopped. A client follows {@code next} until
 * it is null.
 */
final class ClientIndexPager {

  /** Redis calls a page may spend beyond one per returned session. */
  static final int EXTRA_REDIS_CALLS = RedisKeys.CLIENT_BUCKETS + 64;

  private final RedisSessionReads reads;
  private final PageCursor cursors;
  private final SessionQuery query;
  private final int budget;
  private int calls;

  ClientIndexPager(RedisSessionReads reads, PageCursor cursors, SessionQuery query) {
    this.reads = reads;
    this.cursors = cursors;
    this.query = query;
    this.budget = query.limit() + EXTRA_REDIS_CALLS;
  }

  SessionPage page() {
    PageCursor.Position after = cursors.decode(query);
    List<SessionRecord> items = new ArrayList<>();
    List<String> issuers = query.issuer() != null ? List.of(query.issuer()) : reads.knownIssuers();
    for (String issuer : issuers) {
      if (after != null && issuer.compareTo(after.issuer()) < 0) {
        continue;
      }
      List<String> clients;
      if (query.clientId() != null) {
        clients = List.of(query.clientId());
      } else {
        calls++;
        clients = reads.clientsOf(issuer);
      }
      for (String clientId : clients) {
        boolean sameClient =
            after != null && issuer.equals(after.issuer()) && clientId.equals(after.clientId());
        if (after != null
            && issuer.equals(after.issuer())
            && clientId.compareTo(after.clientId()) < 0) {
          continue;
        }
        int firstBucket = sameClient ? after.bucket() : 0;
        for (int bucket = firstBucket; bucket < RedisKeys.CLIENT_BUCKETS; bucket++) {
          // The session id up to which this bucket is handled ("": none of it yet).
          String handled = sameClient && bucket == after.bucket() ? after.sessionId() : "";
          if (calls >= budget) {
            return stopAt(items, new PageCursor.Position(issuer, "", clientId, bucket, handled));
          }
          calls++;
          NavigableMap<String, String> entries = reads.bucketIndex(issuer, clientId, bucket);
          for (Map.Entry<String, String> entry : entries.tailMap(handled, false).entrySet()) {
            if (items.size() == query.limit() || calls >= budget) {
              return stopAt(items, new PageCursor.Position(issuer, "", clientId, bucket, handled));
            }
            calls++;
            reads
                .readRegistration(issuer, entry.getValue(), clientId, entry.getKey())
                .ifPresent(items::add);
            handled = entry.getKey();
          }
        }
      }
    }
    return new SessionPage(items, null);
  }

  private SessionPage stopAt(List<SessionRecord> items, PageCursor.Position position) {
    return new SessionPage(items, cursors.encode(position, query));
  }
}
