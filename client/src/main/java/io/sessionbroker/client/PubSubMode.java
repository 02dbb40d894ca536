package io.sessionbroker.client;

/** Which Redis pub/sub flavour carries the live revocation messages. */
public enum PubSubMode {

  /**
   * Classic {@code SUBSCRIBE} for standalone and Sentinel deployments, sharded {@code SSUBSCRIBE}
   * for Redis Cluster (where the broker publishes with {@code SPUBLISH}).
   */
  AUTO,

  /** Always classic {@code SUBSCRIBE} (the broker publishes with {@code PUBLISH}). */
  CLASSIC,

  /** Always sharded {@code SSUBSCRIBE} (the broker publishes with {@code SPUBLISH}). */
  SHARDED
}
