package io.sessionbroker.broker.store;

import io.sessionbroker.broker.session.SessionPage;
import io.sessionbroker.broker.session.SessionQuery;
import io.sessionbroker.broker.session.SessionRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pages over one user's sessions ({@code sub} query) in a fixed order (issuer, sid, client, session
 * id), reading one sid hash at a time, so a user with very many SSO sessions costs no more per page
 * than a bounded number of Redis calls: at most {@code limit + }{@link
 * ClientIndexPager#EXTRA_REDIS_CALLS}, one per issuer's user index read and one per sid read. A
 * walk that runs out of calls ends the page early with a {@code next} cursor where it stopped.
 */
final class UserSessionsPager {

  private static final Comparator<SessionRecord> WITHIN_SID =
      Comparator.comparing(SessionRecord::clientId).thenComparing(SessionRecord::sessionId);

  private final RedisSessionReads reads;
  private final PageCursor cursors;
  private final SessionQuery query;
  private final int budget;
  private int calls;

  UserSessionsPager(RedisSessionReads reads, PageCursor cursors, SessionQuery query) {
    this.reads = reads;
    this.cursors = cursors;
    this.query = query;
    this.budget = query.limit() + ClientIndexPager.EXTRA_REDIS_CALLS;
  }

  SessionPage page() {
    PageCursor.Position after = cursors.decode(query);
    List<SessionRecord> items = new ArrayList<>();
    PageCursor.Position last = null;
    List<String> issuers = query.issuer() != null ? List.of(query.issuer()) : reads.knownIssuers();
    for (String issuer : issuers) {
      if (after != null && issuer.compareTo(after.issuer()) < 0) {
        continue;
      }
      boolean resumedIssuer = after != null && issuer.equals(after.issuer());
      calls++;
      List<String> sids = new ArrayList<>(reads.sidsOfUser(issuer, query.sub()));
      sids.sort(Comparator.naturalOrder());
      for (String sid : sids) {
        if (resumedIssuer && sid.compareTo(after.sid()) < 0) {
          continue;
        }
        boolean resumedSid = resumedIssuer && sid.equals(after.sid());
        if (calls >= budget) {
          return stopAt(
              items, resumedSid ? after : new PageCursor.Position(issuer, sid, "", 0, ""));
        }
        calls++;
        List<SessionRecord> records =
            reads
                .readSid(issuer, sid)
                .map(RedisSessionReads.SidEntries::records)
                .orElse(List.of())
                .stream()
                .filter(r -> query.clientId() == null || query.clientId().equals(r.clientId()))
                .filter(r -> query.sub().equals(r.sub()))
                .sorted(WITHIN_SID)
                .toList();
        for (SessionRecord record : records) {
          if (resumedSid && !isAfter(record, after)) {
            continue;
          }
          if (items.size() == query.limit()) {
            return stopAt(items, last);
          }
          items.add(record);
          last = new PageCursor.Position(issuer, sid, record.clientId(), 0, record.sessionId());
        }
      }
    }
    return new SessionPage(items, null);
  }

  private static boolean isAfter(SessionRecord record, PageCursor.Position position) {
    int byClient = record.clientId().compareTo(position.clientId());
    return byClient != 0 ? byClient > 0 : record.sessionId().compareTo(position.sessionId()) > 0;
  }

  private SessionPage stopAt(List<SessionRecord> items, PageCursor.Position position) {
    return new SessionPage(items, cursors.encode(position, query));
  }
}
