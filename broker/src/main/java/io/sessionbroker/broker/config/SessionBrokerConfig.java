package io.sessionbroker.broker.config;

import io.sessionbroker.broker.session.IdRule;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration of the broker, under {@code session-broker.*}. Every key can also be set as an
 * environment variable (for example {@code SESSION_BROKER_ISSUERS_ACME_URL}).
 *
 * <p>The mapping is validated at startup: a broker with no issuer, an issuer URL that is not an
 * http(s) URL, or an alias that cannot appear in a Redis channel name refuses to start and says
 * which key is wrong.
 */
@ConfigMapping(prefix = "session-broker")
public interface SessionBrokerConfig {

  /**
   * The Keycloak realms (OpenID issuers) whose logouts the broker accepts, by alias. The alias is a
   * short name used in Redis channel names and the REST API (for example {@code acme}). At least
   * one issuer is required.
   */
  @NotEmpty(message = "configure at least one issuer: session-broker.issuers.<alias>.url")
  Map<@Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,31}", message = ALIAS_RULE) String, @Valid Issuer>
      issuers();

  /** Redis layout. */
  @Valid
  Redis redis();

  /** Back-channel logout handling. */
  @Valid
  Logout logout();

  /** Session registrations. */
  @Valid
  Sessions sessions();

  /** The per-client revocation event log. */
  @Valid
  Events events();

  /** Fetching and caching issuers' signing keys. */
  @Valid
  Jwks jwks();

  /** REST API limits. */
  @Valid
  Api api();

  /** The local journal that keeps accepted logouts while Redis is unreachable. */
  @Valid
  Outbox outbox();

  /** Explains the alias rule in startup errors. */
  String ALIAS_RULE =
      "an issuer alias must be 1-32 characters of lower-case letters, digits, '-' or '_',"
          + " starting with a letter or digit";

  /** One OpenID issuer (a Keycloak realm). */
  interface Issuer {

    /**
     * The issuer URL, equal to the tokens' {@code iss} claim, e.g. {@code
     * https://sso.example.com/realms/acme}.
     */
    @NotBlank
    @Pattern(
        regexp = "https?://[^\\s/?#]+(/[^\\s?#]*)?",
        message =
            "must be an absolute http(s) URL without query, e.g. https://sso.example.com/realms/acme")
    String url();

    /**
     * The issuer's JWKS URL. Optional: by default it is read from the issuer's OpenID discovery
     * document ({@code <url>/.well-known/openid-configuration}).
     */
    Optional<
            @Pattern(regexp = "https?://[^\\s]+", message = "must be an absolute http(s) URL")
            String>
        jwksUrl();

    /**
     * Optional allow-list of client ids accepted as a logout token's {@code aud} and as API
     * callers' {@code azp}. Empty: every client of the realm is accepted.
     */
    Optional<List<@Pattern(regexp = IdRule.PATTERN, message = IdRule.DESCRIPTION) String>>
        clients();

    /**
     * Client id of a confidential client with a service account allowed to read the realm's
     * sessions (realm-management roles {@code view-users}, {@code query-users}), used by the
     * reconciliation job. Without it the job skips this issuer. {@code query-users} is required:
     * without it Keycloak answers an unknown user with 403, and the job then never treats a user as
     * deleted.
     */
    Optional<String> adminClientId();

    /** Secret of {@link #adminClientId()}. Set it from a Kubernetes Secret, never in Git. */
    Optional<String> adminClientSecret();

    /**
     * Confidential client (authorization code flow, redirect URI {@code
     * https://<broker>/operator/<alias>/*}) through which people with the admin role sign in to the
     * operator page {@code /operator/<alias>}; without it that page answers 401.
     */
    Optional<String> operatorClientId();

    /** Secret of {@link #operatorClientId()}. */
    Optional<String> operatorClientSecret();
  }

  /** Redis layout. The connection itself is configured with the standard quarkus.redis.* keys. */
  interface Redis {

    /**
     * Prefix of every key and channel the broker writes, so several deployments can share one
     * Redis. Channels are {@code <prefix>:revocations:<alias>:<clientId>}.
     */
    @WithDefault("sb")
    @Pattern(regexp = "[A-Za-z0-9_.-]{1,32}", message = "must be 1-32 of A-Z a-z 0-9 _ . -")
    String keyPrefix();
  }

  /** How logout tokens are accepted and what they revoke. */
  interface Logout {

    /**
     * {@code sso} (default): a logout of SSO session {@code sid} revokes the registered sessions of
     * every client under that {@code sid}. {@code client}: only those of the token's {@code aud}
     * client.
     */
    @WithDefault("sso")
    LogoutScope scope();

    /** Tolerated clock difference with Keycloak when checking {@code iat} and {@code exp}. */
    @WithDefault("30s")
    Duration clockSkew();

    /**
     * Oldest accepted logout token, by its {@code iat}. Keycloak sends logout tokens at once; an
     * old token is a replay.
     */
    @WithDefault("5m")
    Duration maxTokenAge();

    /**
     * Accepted signature algorithms. Asymmetric only: {@code none} and HMAC are always rejected
     * whatever this list says.
     */
    @WithDefault("RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA")
    List<String> allowedAlgorithms();

    /** Largest accepted request body of the back-channel and Keycloak admin endpoints. */
    @WithDefault("16384")
    int maxBodyBytes();
  }

  /** Session registrations. */
  interface Sessions {

    /**
     * Life of a registration when the app gives no {@code expiresAt}. Match Keycloak's realm
     * setting "SSO Session Max" (10 h by default): Keycloak sends nothing when a session expires.
     */
    @WithDefault("10h")
    Duration defaultTtl();

    /** Longest accepted registration life; a later {@code expiresAt} is cut to this. */
    @WithDefault("30d")
    Duration maxTtl();

    /**
     * How long a logged-out {@code sid} is remembered, so a registration arriving after its logout
     * is refused with 409. At least the longest registration life in practice.
     */
    @WithDefault("10h")
    Duration tombstoneTtl();

    /**
     * How long after a logout of a {@code sid} was first received a later revocation of it still
     * counts as the same logout (SPEC §3.3, one event per client per logout): Keycloak sends each
     * client of one logout its own token with its own {@code iat}, and an operator may retry an
     * admin request. Later than this, or through a client whose token the logout already had, it is
     * a new logout of the {@code sid} (Keycloak keeps an SSO session after a client-only logout)
     * with its own events. Longer than Keycloak's fan-out to all clients of a session. The same
     * rule holds for a logout of a user by {@code sub} (sub-only logout tokens, admin revocations).
     */
    @WithDefault("10s")
    Duration logoutFanOutWindow();
  }

  /** The per-client revocation event log (Redis streams). */
  interface Events {

    /** How long events stay in each client's stream for catch-up. */
    @WithDefault("24h")
    Duration retention();
  }

  /** Fetching and caching issuers' signing keys. */
  interface Jwks {

    /** How long fetched keys are used before they are fetched again. */
    @WithDefault("10m")
    Duration cacheDuration();

    /**
     * Least time between two refreshes triggered by an unknown {@code kid}, so a flood of tokens
     * with made-up key ids cannot hammer Keycloak.
     */
    @WithDefault("10s")
    Duration minRefreshInterval();

    /** Connect and read timeout for discovery and JWKS requests. */
    @WithDefault("5s")
    Duration timeout();

    /**
     * Most tokens with an unknown {@code kid} that may wait for a key refresh of one issuer at once
     * (a waiting token holds memory, no thread); more are answered 503 {@code
     * temporarily_unavailable}.
     */
    @WithDefault("10000")
    int maxWaitingTokens();
  }

  /** REST API limits. */
  interface Api {

    /** Page size of session queries when the caller gives no {@code limit}. */
    @WithDefault("100")
    int defaultPageSize();

    /** Largest accepted {@code limit} of session and event queries. */
    @WithDefault("1000")
    int maxPageSize();

    /** The realm role that may query every client's sessions and revoke. */
    @WithName("admin-role")
    @WithDefault("session-broker-admin")
    String adminRole();

    /**
     * The audience every API bearer token must name in {@code aud}; a token without it was not
     * issued for the broker and gets 401. In Keycloak, add it with an audience mapper (see
     * docs/operations.md).
     */
    @WithDefault("session-broker")
    @NotBlank
    String audience();
  }

  /** The job that revokes registrations whose Keycloak session ended without a logout. */
  @Valid
  Reconciliation reconciliation();

  /**
   * Reconciliation with Keycloak. Keycloak sends nothing when an SSO session simply expires or is
   * removed without logout; this job asks Keycloak's admin API which registered {@code sid}s still
   * exist and revokes the others with reason {@code expired}.
   */
  interface Reconciliation {

    /** Whether the job runs. Off by default: it needs admin credentials per issuer. */
    @WithDefault("false")
    boolean enabled();

    /** Time between two runs. */
    @WithDefault("10m")
    Duration interval();

    /** Most Keycloak admin API requests per second, so the job never loads Keycloak. */
    @WithDefault("20")
    @Min(value = 1, message = "must be at least 1")
    int maxRequestsPerSecond();
  }

  /** The local revocation journal (SPEC §5: never lose an accepted logout). */
  interface Outbox {

    /**
     * Folder of the append-only journal. Must survive a restart of the process: on Kubernetes mount
     * a volume here (see docs/operations.md).
     */
    @WithDefault("data/outbox")
    String directory();

    /** How often journaled revocations are retried while Redis is unreachable. */
    @WithDefault("1s")
    Duration replayInterval();

    /**
     * How long shutdown (SIGTERM) waits for the journal to drain into Redis before the process
     * exits; what is left stays journaled for the next start on the same folder. Keep the pod's
     * termination grace period above this plus the HTTP shutdown timeout.
     */
    @WithDefault("30s")
    Duration shutdownDrainTimeout();
  }

  /** Room kept in Redis for revocations: when new registrations are refused (SPEC §5). */
  @Valid
  Registration registration();

  /**
   * Registrations stop before Redis is full, so revocations, which need little memory, always reach
   * their streams (SPEC §5): with {@code maxmemory-policy noeviction} a full Redis refuses every
   * write, logouts included.
   */
  interface Registration {

    /**
     * Share of Redis's {@code maxmemory} above which new registrations (and registrations of an
     * existing session again) of clients holding more than their share of the registrations are
     * refused with {@code 503 registry_full}; halfway from it to {@code maxmemory} every client's
     * are, and the rest is kept for revocations. No effect while Redis has no {@code maxmemory} (0,
     * unlimited).
     */
    @WithDefault("0.9")
    @DecimalMin(value = "0", inclusive = false, message = "must be above 0")
    @DecimalMax(value = "1", message = "must be at most 1")
    double maxMemoryShare();

    /**
     * How often the broker reads Redis's {@code INFO memory} ({@code used_memory}, {@code
     * maxmemory}); between two reads it adds an estimate of each admitted registration.
     */
    @WithDefault("1s")
    Duration memoryPollInterval();

    /**
     * Most registrations one SSO session (sid) may hold; one more is refused with {@code 409
     * too_many_sessions_for_sid}, a registration of a session it already holds is still updated.
     * Bounds the work of a logout of the sid ({@code revoke_sid.lua} reads the whole sid hash in
     * one script), which one app could otherwise make exceed {@code quarkus.redis.timeout} by
     * registering very many sessions under a victim's sid. Keycloak gives a sid one session per
     * client, so keep it well above the number of clients a user signs in to.
     */
    @WithDefault("100")
    @Min(value = 1, message = "must be at least 1")
    int maxPerSid();
  }

  /** The revocation verdict for proxies and APIs ({@code GET /api/v1/verdict}, SPEC §3.2). */
  @Valid
  Verdict verdict();

  /**
   * The in-memory revocation view behind {@code GET /api/v1/verdict}: fed from every client's
   * revocation stream, so a verdict costs no Redis call.
   */
  interface Verdict {

    /**
     * The longest access-token life of every configured issuer (Keycloak's realm "Access Token
     * Lifespan" and any client override). Revocations are remembered this long (plus the clock
     * skew): a token issued before a revocation has expired by then. A token whose {@code exp} lies
     * further than this after its {@code iat} is refused, since its revocation could have been
     * forgotten. Also the window read back from the streams at start-up.
     */
    @WithDefault("1h")
    Duration maxTokenLifetime();

    /**
     * How often every known stream is read for events the live subscription may have missed (a
     * reconnect), and in Redis Cluster, which has no pattern subscription for sharded channels, the
     * only live source: there it bounds how late a revocation reaches the verdict.
     */
    @WithDefault("1s")
    Duration pollInterval();

    /**
     * How often the issuers' clients are listed again (registered clients and, outside a cluster, a
     * SCAN for event streams) to find clients that appeared at runtime.
     */
    @WithDefault("30s")
    Duration discoveryInterval();

    /**
     * Verified access tokens remembered (by SHA-256 of the token, until their {@code exp}) so a
     * repeated token costs no signature check. 0 disables the cache.
     */
    @WithDefault("10000")
    @Min(value = 0, message = "must be 0 or more")
    int tokenCacheSize();
  }

  /** What a logout of one SSO session revokes. */
  enum LogoutScope {
    /** Every client's registrations under the {@code sid}. */
    SSO,
    /** Only the registrations of the token's {@code aud} client. */
    CLIENT
  }
}
