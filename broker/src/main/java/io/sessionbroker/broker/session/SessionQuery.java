package io.sessionbroker.broker.session;

/**
 * A filter over registered sessions; null members do not filter.
 *
 * @param issuer issuer alias
 * @param clientId client id
 * @param sid SSO session id
 * @param sub user
 * @param limit page size
 * @param cursor opaque position from the previous page, or null for the first page
 * @param requester who asks (e.g. issuer, client and role of the API caller): a cursor is valid
 *     only for the requester and the query it was issued for
 */
public record SessionQuery(
    String issuer,
    String clientId,
    String sid,
    String sub,
    int limit,
    String cursor,
    String requester) {}
