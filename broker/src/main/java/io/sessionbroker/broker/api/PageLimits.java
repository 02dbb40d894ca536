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
    if (limit == null || limit.isBlank()) {
      return limits.defaultPageSize();
    }
    int pageSize;
    try {
      pageSize = Integer.parseInt(limit.trim());
    } catch (NumberFormatException e) {
      pageSize = 0;
    }
    if (pageSize < 1 || pageSize > limits.maxPageSize()) {
      throw ApiRequestException.badRequest(
          "limit must be a number between 1 and " + limits.maxPageSize());
    }
    return pageSize;
  }
}
