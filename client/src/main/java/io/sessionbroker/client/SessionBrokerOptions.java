package io.sessionbroker.client;

import io.sessionbroker.client.internal.RedisNames;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable settings of a {@link SessionBrokerClient}. Create with {@link #builder()}; every
 * setting not given takes the matching {@code DEFAULT_*} value.
 *
 * <pre>{@code
 * SessionBrokerOptions options = SessionBrokerOptions.builder()
 *     .redisUri("redis://redis.internal:6379")
 *     .issuerAlias("acme")
 *     .clientId("app1")
 *     .build();
 * }</pre>
 */
public final class SessionBrokerOptions {

  /** Default {@link Builder#keyPrefix(String)}: {@value}, as the broker's default. */
  public static final String DEFAULT_KEY_PREFIX = "sb";

  /** Default {@link Builder#revokedSetMaxEntries(int)}: {@value}. */
  public static final int DEFAULT_REVOKED_SET_MAX_ENTRIES = 100_000;

  /**
   * Default {@link Builder#revokedEntryTtl(Duration)}: 10 hours, Keycloak's default SSO Session
   * Max; no session issued before a revocation outlives it.
   */
  public static final Duration DEFAULT_REVOKED_ENTRY_TTL = Duration.ofHours(10);

  /**
   * Default {@link Builder#streamRetention(Duration)}: 24 hours, the broker's default {@code
   * session-broker.events.retention}.
   */
  public static final Duration DEFAULT_STREAM_RETENTION = Duration.ofHours(24);

  /** Default {@link Builder#catchUpBatchSize(int)}: {@value} events per {@code XRANGE}. */
  public static final int DEFAULT_CATCH_UP_BATCH_SIZE = 500;

  /** Default {@link Builder#startFrom(StartPosition)}: {@link StartPosition#RETAINED}. */
  public static final StartPosition DEFAULT_START_FROM = StartPosition.RETAINED;

  /** Default {@link Builder#pubSubMode(PubSubMode)}: {@link PubSubMode#AUTO}. */
  public static final PubSubMode DEFAULT_PUB_SUB_MODE = PubSubMode.AUTO;

  /** Default {@link Builder#commandTimeout(Duration)}: 5 seconds. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

  /** Default {@link Builder#maxReconnectDelay(Duration)}: 5 seconds. */
  public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(5);

  /** Default {@link Builder#startTimeout(Duration)}: 30 seconds. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

  /** Default {@link Builder#clockSkew(Duration)}: 5 seconds. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(5);

  /** Default {@link Builder#forgottenRevocationPolicy}: treat unknown sessions as revoked. */
  public static final ForgottenRevocationPolicy DEFAULT_FORGOTTEN_REVOCATION_POLICY =
      ForgottenRevocationPolicy.TREAT_AS_REVOKED;

  private final String redisUri;
  private final List<String> clusterSeedUris;
  private final boolean cluster;
  private final PubSubMode pubSubMode;
  private final String keyPrefix;
  private final String issuerAlias;
  private final String clientId;
  private final int revokedSetMaxEntries;
  private final Duration revokedEntryTtl;
  private final Duration streamRetention;
  private final int catchUpBatchSize;
  private final LastSeenIdStore lastSeenIdStore;
  private final StartPosition startFrom;
  private final Duration commandTimeout;
  private final Duration maxReconnectDelay;
  private final Clock clock;
  private final Duration startTimeout;
  private final Duration clockSkew;
  private final ForgottenRevocationPolicy forgottenRevocationPolicy;

  private SessionBrokerOptions(Builder builder) {
    this.startTimeout = builder.startTimeout;
    this.clockSkew = builder.clockSkew;
    this.forgottenRevocationPolicy = builder.forgottenRevocationPolicy;
    this.redisUri = builder.redisUri;
    this.clusterSeedUris = List.copyOf(builder.clusterSeedUris);
    this.cluster = builder.cluster || !builder.clusterSeedUris.isEmpty();
    this.pubSubMode = builder.pubSubMode;
    this.keyPrefix = builder.keyPrefix;
    this.issuerAlias = builder.issuerAlias;
    this.clientId = builder.clientId;
    this.revokedSetMaxEntries = builder.revokedSetMaxEntries;
    this.revokedEntryTtl = builder.revokedEntryTtl;
    this.streamRetention = builder.streamRetention;
    this.catchUpBatchSize = builder.catchUpBatchSize;
    this.lastSeenIdStore = builder.lastSeenIdStore;
    this.startFrom = builder.startFrom;
    this.commandTimeout = builder.commandTimeout;
    this.maxReconnectDelay = builder.maxReconnectDelay;
    this.clock = builder.clock;
  }

  /** A new builder with every default set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with these options, to derive a variant. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.redisUri = redisUri;
    builder.clusterSeedUris = clusterSeedUris;
    builder.cluster = cluster;
    builder.pubSubMode = pubSubMode;
    builder.keyPrefix = keyPrefix;
    builder.issuerAlias = issuerAlias;
    builder.clientId = clientId;
    builder.revokedSetMaxEntries = revokedSetMaxEntries;
    builder.revokedEntryTtl = revokedEntryTtl;
    builder.streamRetention = streamRetention;
    builder.catchUpBatchSize = catchUpBatchSize;
    builder.lastSeenIdStore = lastSeenIdStore;
    builder.startFrom = startFrom;
    builder.commandTimeout = commandTimeout;
    builder.maxReconnectDelay = maxReconnectDelay;
    builder.clock = clock;
    builder.startTimeout = startTimeout;
    builder.clockSkew = clockSkew;
    builder.forgottenRevocationPolicy = forgottenRevocationPolicy;
    return builder;
  }

  /** The Redis URI; empty when only cluster seed URIs were given. */
  public Optional<String> redisUri() {
    return Optional.ofNullable(redisUri);
  }

  /** The cluster seed URIs; empty unless given explicitly. */
  public List<String> clusterSeedUris() {
    return clusterSeedUris;
  }

  /** Whether Redis is a Redis Cluster. */
  public boolean cluster() {
    return cluster;
  }

  /** The configured pub/sub mode (possibly {@link PubSubMode#AUTO}). */
  public PubSubMode pubSubMode() {
    return pubSubMode;
  }

  /** Whether live messages are received with sharded pub/sub ({@code SSUBSCRIBE}). */
  public boolean shardedPubSub() {
    return pubSubMode == PubSubMode.SHARDED || (pubSubMode == PubSubMode.AUTO && cluster);
  }

  /** The Redis key prefix. */
  public String keyPrefix() {
    return keyPrefix;
  }

  /** The issuer alias as configured in the broker, e.g. {@code acme}. */
  public String issuerAlias() {
    return issuerAlias;
  }

  /** The Keycloak client id of this application. */
  public String clientId() {
    return clientId;
  }

  /** The most entries the local revoked set holds before it evicts the oldest. */
  public int revokedSetMaxEntries() {
    return revokedSetMaxEntries;
  }

  /** How long a revocation is remembered locally, counted from the event's {@code at}. */
  public Duration revokedEntryTtl() {
    return revokedEntryTtl;
  }

  /**
   * How long the broker keeps events in the stream, at least: revocations older than this may have
   * been trimmed before this process read them.
   */
  public Duration streamRetention() {
    return streamRetention;
  }

  /** How many stream entries one catch-up read fetches. */
  public int catchUpBatchSize() {
    return catchUpBatchSize;
  }

  /** The store for the last delivered id; empty means a fresh in-memory store per client. */
  public Optional<LastSeenIdStore> lastSeenIdStore() {
    return Optional.ofNullable(lastSeenIdStore);
  }

  /** Where to start when the store holds no id. */
  public StartPosition startFrom() {
    return startFrom;
  }

  /** Timeout of one Redis command (connect and catch-up reads). */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** Upper bound of Lettuce's exponential reconnect delay. */
  public Duration maxReconnectDelay() {
    return maxReconnectDelay;
  }

  /** The clock used for revoked-set expiry. */
  public Clock clock() {
    return clock;
  }

  /** How long {@link SessionBrokerClient#start} may take before it fails. */
  public Duration startTimeout() {
    return startTimeout;
  }

  /** The allowance for clock differences between this app, Keycloak and the broker. */
  public Duration clockSkew() {
    return clockSkew;
  }

  /** What a check answers for a session older than the revoked set's watermark. */
  public ForgottenRevocationPolicy forgottenRevocationPolicy() {
    return forgottenRevocationPolicy;
  }

  /** The pub/sub channel: {@code <prefix>:revocations:<alias>:<clientId>}. */
  public String channel() {
    return RedisNames.channel(keyPrefix, issuerAlias, clientId);
  }

  /** The stream key: {@code <prefix>:events:<alias>:<clientId>}. */
  public String streamKey() {
    return RedisNames.streamKey(keyPrefix, issuerAlias, clientId);
  }

  @Override
  public String toString() {
    // No URI: it may carry a password.
    return "SessionBrokerOptions[channel="
        + channel()
        + ", cluster="
        + cluster
        + ", sharded="
        + shardedPubSub()
        + ", startFrom="
        + startFrom
        + ", revokedSetMaxEntries="
        + revokedSetMaxEntries
        + ", revokedEntryTtl="
        + revokedEntryTtl
        + ", streamRetention="
        + streamRetention
        + ", startTimeout="
        + startTimeout
        + ", clockSkew="
        + clockSkew
        + "]";
  }

  /** Builds {@link SessionBrokerOptions}. Not thread-safe. */
  public static final class Builder {

    private String redisUri;
    private List<String> clusterSeedUris = List.of();
    private boolean cluster;
    private PubSubMode pubSubMode = DEFAULT_PUB_SUB_MODE;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private String issuerAlias;
    private String clientId;
    private int revokedSetMaxEntries = DEFAULT_REVOKED_SET_MAX_ENTRIES;
    private Duration revokedEntryTtl = DEFAULT_REVOKED_ENTRY_TTL;
    private Duration streamRetention = DEFAULT_STREAM_RETENTION;
    private int catchUpBatchSize = DEFAULT_CATCH_UP_BATCH_SIZE;
    private LastSeenIdStore lastSeenIdStore;
    private StartPosition startFrom = DEFAULT_START_FROM;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration maxReconnectDelay = DEFAULT_MAX_RECONNECT_DELAY;
    private Clock clock = Clock.systemUTC();
    private Duration startTimeout = DEFAULT_START_TIMEOUT;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private ForgottenRevocationPolicy forgottenRevocationPolicy =
        DEFAULT_FORGOTTEN_REVOCATION_POLICY;

    private Builder() {}

    /**
     * The Redis URI in Lettuce syntax: {@code redis://[user:password@]host:port[/db]}, {@code
     * rediss://...} for TLS, or {@code redis-sentinel://host1:26379,host2:26379/0#mymaster} for
     * Sentinel. With {@link #cluster(boolean) cluster(true)} it is the cluster's seed node.
     */
    public Builder redisUri(String redisUri) {
      this.redisUri = requireText(redisUri, "redisUri");
      return this;
    }

    /** Whether {@link #redisUri(String)} points at a Redis Cluster. Default {@code false}. */
    public Builder cluster(boolean cluster) {
      this.cluster = cluster;
      return this;
    }

    /** Several Redis Cluster seed URIs; implies {@code cluster(true)}. */
    public Builder clusterSeedUris(List<String> seedUris) {
      List<String> copy = List.copyOf(seedUris);
      copy.forEach(uri -> requireText(uri, "clusterSeedUris"));
      this.clusterSeedUris = copy;
      return this;
    }

    /**
     * Classic or sharded pub/sub; must match how the broker publishes. Default {@link
     * PubSubMode#AUTO}: sharded for a cluster, classic otherwise.
     */
    public Builder pubSubMode(PubSubMode pubSubMode) {
      this.pubSubMode = Objects.requireNonNull(pubSubMode, "pubSubMode");
      return this;
    }

    /**
     * The broker's {@code session-broker.redis.key-prefix}. Default {@value #DEFAULT_KEY_PREFIX}.
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = requireText(keyPrefix, "keyPrefix");
      return this;
    }

    /** The issuer alias configured in the broker ({@code session-broker.issuers.<alias>}). */
    public Builder issuerAlias(String issuerAlias) {
      this.issuerAlias = requireText(issuerAlias, "issuerAlias");
      return this;
    }

    /** This application's Keycloak client id. Required. */
    public Builder clientId(String clientId) {
      this.clientId = requireText(clientId, "clientId");
      return this;
    }

    /**
     * The most sids, session ids and users the local revoked set remembers; beyond it the oldest
     * entries are evicted. Default {@value #DEFAULT_REVOKED_SET_MAX_ENTRIES}.
     */
    public Builder revokedSetMaxEntries(int maxEntries) {
      if (maxEntries < 1) {
        throw new IllegalArgumentException("revokedSetMaxEntries must be positive");
      }
      this.revokedSetMaxEntries = maxEntries;
      return this;
    }

    /**
     * How long a revocation is remembered locally, counted from the event's {@code at}. Set it to
     * at least the longest life of this app's sessions (the realm's SSO Session Max, or the broker
     * registration life when registrations are given a longer {@code expiresAt}), so that every
     * session issued before a revocation has ended by the time the entry is dropped. A dropped
     * entry raises the watermark: older sessions are then judged by the {@link
     * #forgottenRevocationPolicy}. Default 10 hours.
     */
    public Builder revokedEntryTtl(Duration ttl) {
      this.revokedEntryTtl = requirePositive(ttl, "revokedEntryTtl");
      return this;
    }

    /**
     * How long the broker keeps events in the stream; must be at least the broker's {@code
     * session-broker.events.retention} (a larger value only makes this client stricter). The broker
     * trims only from the head and only events older than its retention, so at every start (and
     * when a reconnect finds events trimmed unread) the revoked set's watermark is raised to the
     * earlier of the oldest retained entry's time and now minus this retention: a revocation
     * trimmed before this process read it is then "forgotten", never live, and sessions older than
     * it are judged by the {@link #forgottenRevocationPolicy} (SPEC §3.4). Default 24 hours.
     */
    public Builder streamRetention(Duration retention) {
      this.streamRetention = requirePositive(retention, "streamRetention");
      return this;
    }

    /**
     * How many stream entries one catch-up {@code XRANGE} fetches. Default {@value
     * #DEFAULT_CATCH_UP_BATCH_SIZE}.
     */
    public Builder catchUpBatchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("catchUpBatchSize must be positive");
      }
      this.catchUpBatchSize = batchSize;
      return this;
    }

    /**
     * Where the last delivered id is kept, so that listeners of a restarted application get only
     * the events after it. The revoked set is rebuilt from the whole retained stream at every start
     * either way (start-up reads it, bounded by the broker's retention). Default: a fresh in-memory
     * store per client (a restart then starts from {@link #startFrom}).
     */
    public Builder lastSeenIdStore(LastSeenIdStore store) {
      this.lastSeenIdStore = Objects.requireNonNull(store, "lastSeenIdStore");
      return this;
    }

    /**
     * Where to start when the {@link LastSeenIdStore} holds nothing. Default {@link
     * StartPosition#RETAINED}: revocations must never be lost; see {@link StartPosition} for the
     * trade-off.
     */
    public Builder startFrom(StartPosition startFrom) {
      this.startFrom = Objects.requireNonNull(startFrom, "startFrom");
      return this;
    }

    /** Timeout of one Redis command. Default 5 seconds. */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = requirePositive(timeout, "commandTimeout");
      return this;
    }

    /**
     * Upper bound of the exponential delay between reconnect attempts (Lettuce reconnects and
     * resubscribes by itself). Default 5 seconds.
     */
    public Builder maxReconnectDelay(Duration delay) {
      this.maxReconnectDelay = requirePositive(delay, "maxReconnectDelay");
      return this;
    }

    /**
     * How long {@link SessionBrokerClient#start} may take to connect, subscribe and read the stream
     * to its end; a failed first catch-up is retried within it. When it has passed, start fails
     * with a {@link SessionBrokerException} naming the last failure. Default 30 seconds.
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = requirePositive(timeout, "startTimeout");
      return this;
    }

    /**
     * The allowance for clock differences when a session's creation time (this app's or Keycloak's
     * clock) is compared with a revocation's time (the broker's clock). It is applied so that it
     * never makes a revoked session look live: a session created up to this much after a user- or
     * client-wide revocation still counts as revoked. Default 5 seconds; zero allowed.
     */
    public Builder clockSkew(Duration skew) {
      Objects.requireNonNull(skew, "clockSkew");
      if (skew.isNegative()) {
        throw new IllegalArgumentException("clockSkew must not be negative");
      }
      this.clockSkew = skew;
      return this;
    }

    /**
     * What a check answers for a session created before the revoked set's watermark (it may have
     * been revoked by an entry that was evicted or expired). Default {@link
     * ForgottenRevocationPolicy#TREAT_AS_REVOKED}; {@link
     * ForgottenRevocationPolicy#recheckOverHttp} asks the broker instead.
     */
    public Builder forgottenRevocationPolicy(ForgottenRevocationPolicy policy) {
      this.forgottenRevocationPolicy = Objects.requireNonNull(policy, "forgottenRevocationPolicy");
      return this;
    }

    /** The clock for revoked-set expiry; for tests. Default the UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Checks and builds the options.
     *
     * @throws IllegalStateException when no Redis URI, issuer alias or client id was given
     */
    public SessionBrokerOptions build() {
      if (redisUri == null && clusterSeedUris.isEmpty()) {
        throw new IllegalStateException("redisUri (or clusterSeedUris) is required");
      }
      if (issuerAlias == null) {
        throw new IllegalStateException("issuerAlias is required");
      }
      if (clientId == null) {
        throw new IllegalStateException("clientId is required");
      }
      return new SessionBrokerOptions(this);
    }

    private static String requireText(String value, String name) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }

    private static Duration requirePositive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return value;
    }
  }
}
