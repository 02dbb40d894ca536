package io.sessionbroker.broker.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.sessionbroker.broker.logout.ProcessedTokens;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** The replay guard over Redis: one expiring key per processed {@code jti}. */
@ApplicationScoped
public class RedisProcessedTokens implements ProcessedTokens {

  private final RedisDataSource redis;
  private final RedisKeys keys;

  RedisProcessedTokens(RedisDataSource redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  @Override
  public boolean isProcessed(String issuer, String sid, String jti) {
    return redis.execute("EXISTS", keys.processedJti(issuer, sid, jti)).toLong() == 1L;
  }

  @Override
  public void markProcessed(String issuer, String sid, String jti, Duration retention) {
    redis.execute(
        "SET", keys.processedJti(issuer, sid, jti), "1", "PX", Long.toString(retention.toMillis()));
  }
}
