package io.sessionbroker.broker.verdict;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until the revocation view was read back from the streams: before that a verdict could
 * allow a token whose session was revoked minutes ago.
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
        .status(feed.isWarm())
        .withData("warm", feed.isWarm())
        .withData("streams", feed.streamCount())
        .withData("revocations", view.size())
        .withData("lastError", error == null ? "none" : error)
        .build();
  }
}
