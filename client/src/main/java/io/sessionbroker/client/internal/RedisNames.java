package io.sessionbroker.client.internal;

/** Every Redis key and channel name of the broker contract (SPEC §3.3), in one place. */
public final class RedisNames {

  /** The single field of each stream entry; its value is the event JSON. */
  public static final String EVENT_FIELD = "event";

  private RedisNames() {}

  /** {@code <prefix>:revocations:<alias>:<clientId>}. */
  public static String channel(String prefix, String alias, String clientId) {
    return prefix + ":revocations:" + alias + ":" + clientId;
  }

  /** {@code <prefix>:events:<alias>:<clientId>}. */
  public static String streamKey(String prefix, String alias, String clientId) {
    return prefix + ":events:" + alias + ":" + clientId;
  }
}
