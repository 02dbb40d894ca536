package io.sessionbroker.broker.health;

import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.outbox.RevocationRecorder;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports Redis and the revocation journal. The broker stays ready while Redis is down as long as
 * the journal works: taking it out of the Service then would make Keycloak's logouts fail, and
 * Keycloak never retries them. It is not ready when neither can record a revocation.
 *
 * <p>Dead letters (journal entries Redis refused for good, SPEC §5) show in the check's data but
 * keep it UP: they need an operator, and taking brokers out of the Service would only make new
 * logouts fail too. The metric {@code sessionbroker_outbox_dead_letters_stored} is what to alert
 * on.
 */
@Readiness
@ApplicationScoped
public class RedisReadinessCheck implements HealthCheck {

  private final RedisDataSource redis;
  private final RevocationRecorder recorder;

  RedisReadinessCheck(RedisDataSource redis, RevocationRecorder recorder) {
    this.redis = redis;
    this.recorder = recorder;
  }

  @Override
  public HealthCheckResponse call() {
    boolean redisUp = ping();
    boolean journalUsable = recorder.journalUsable();
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("redis")
            .withData("redis", redisUp ? "up" : "down")
            .withData(
                "outbox",
                !journalUsable ? "unusable" : recorder.hasPending() ? "pending replay" : "empty")
            .withData("journaled", recorder.journaledCount())
            .withData("deadLetters", recorder.deadLetterCount())
            .status(redisUp || journalUsable);
    return response.build();
  }

  private boolean ping() {
    try {
      return "PONG".equals(String.valueOf(redis.execute("PING")));
    } catch (RuntimeException e) {
      return false;
    }
  }
}
