package io.sessionbroker.broker.session;

import java.util.List;

/**
 * One page of a session query.
 *
 * @param items the sessions, in a stable order
 * @param next cursor of the next page, or null on the last page
 */
public record SessionPage(List<SessionRecord> items, String next) {}
