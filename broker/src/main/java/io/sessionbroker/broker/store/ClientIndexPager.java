package io.sessionbroker.broker.store;

import io.sessionbroker.broker.session.SessionPage;
import io.sessionbroker.broker.session.SessionQuery;
import io.sessionbroker.broker.session.SessionRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Pages over clients' index buckets in a fixed order (issuer, client, bucket, session id), for
 * queries by client or issuer that can match millions of sessions.
 */
final class ClientIndexPager {

  private final RedisSessionStore store;
  private final SessionQuery query;

  ClientIndexPager(RedisSessionStore store, SessionQuery query) {
    this.store = store;
    this.query = query;
  }

  SessionPage page() {
    PageCursor.Position after = query.cursor() == null ? null : PageCursor.decode(query.cursor());
    List<SessionRecord> items = new ArrayList<>();
    PageCursor.Position last = null;
    List<String> issuers = query.issuer() != null ? List.of(query.issuer()) : store.knownIssuers();
    for (String issuer : issuers) {
      if (after != null && issuer.compareTo(after.issuer()) < 0) {
        continue;
      }
      List<String> clients =
          query.clientId() != null ? List.of(query.clientId()) : store.clientsOf(issuer);
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
          for (SessionRecord record : store.bucketRecords(issuer, clientId, bucket)) {
            if (sameClient
                && bucket == after.bucket()
                && record.sessionId().compareTo(after.sessionId()) <= 0) {
              continue;
            }
            if (items.size() == query.limit()) {
              return new SessionPage(items, PageCursor.encode(last));
            }
            items.add(record);
            last = PageCursor.positionOf(record, bucket);
          }
        }
      }
    }
    return new SessionPage(items, null);
  }
}
