package io.sessionbroker.broker.api;

import io.sessionbroker.broker.config.SessionBrokerConfig;

/** Reads the {@code limit} query parameter of paged endpoints. */
final class PageLimits {

  private PageLimits() {}

  /**
   * The page size asked for, or the default.
   *
   * @throws ApiRequestException (400) when it is not a number between 1 and the maximum
   */
  static int parse(String limit, SessionBrokerConfig.Api limits) {
    return parse(limit, limits.defaultPageSize(), limits.maxPageSize());
  }

  /**
   * The page size asked for, or the default.
   *
   * @param limit the parameter as sent: ASCII digits only ({@code Integer.parseInt} would also take
   *     a sign and the digits of every other script, such as {@code ٥}); blank or absent for the
   *     default
   * @param defaultPageSize the answer for a blank or absent {@code limit}
   * @param maxPageSize the largest accepted {@code limit}
   * @throws ApiRequestException (400) when it is not a number between 1 and the maximum
   */
  static int parse(String limit, int defaultPageSize, int maxPageSize) {
    if (limit == null || limit.isBlank()) {
      return defaultPageSize;
    }
    long pageSize = 0;
    for (int i = 0; i < limit.length(); i++) {
      char c = limit.charAt(i);
      if (c < '0' || c > '9') {
        pageSize = 0;
        break;
      }
      // Saturates instead of overflowing: any value past the maximum is refused alike.
      pageSize = Math.min(pageSize * 10 + (c - '0'), Integer.MAX_VALUE);
    }
    if (pageSize < 1 || pageSize > maxPageSize) {
      throw ApiRequestException.badRequest("limit must be a number between 1 and " + maxPageSize);
    }
    return (int) pageSize;
  }
}
