package io.sessionbroker.broker.verdict;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until the revocation view was read back from the streams (verdicts answer 503 until
 * then, never allowing a token whose session was revoked minutes ago). One exception keeps the
 * outbox's promise (see {@code RedisReadinessCheck}): while Redis cannot be reached at all the
 * broker stays ready, so Keycloak's logouts still reach its journal; verdicts answer 503 meanwhile.
 */
@Readiness
@ApplicationScoped
public class VerdictReadinessCheck implements HealthCheck {

  private final RevocationFeed feed;
  private final RevocationView view;

  VerdictReadinessCheck(RevocationFeed feed, RevocationView view) {
    this.feed = feed;
    this.view = view;
  }

  @Override
  public HealthCheckResponse call() {
    String error = feed.lastError();
    return HealthCheckResponse.named("verdict-view")
        .status(feed.isWarm() || feed.redisUnavailable())
        .withData("warm", feed.isWarm())
        .withData("streams", feed.streamCount())
        .withData("revocations", view.size())
        .withData("lastError", error == null ? "none" : error)
        .build();
  }
}
