package io.sessionbroker.broker.verdict;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.session.StreamClients;
import io.sessionbroker.broker.store.EventEntry;
import io.sessionbroker.broker.store.RedisFailures;
import io.sessionbroker.broker.store.RedisKeys;
import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps the {@link RevocationView} current from the revocation streams of every client of every
 * configured issuer (SPEC §3.3), so each broker replica builds the same view from the same streams.
 *
 * <ul>
 *   <li><b>Start-up</b>: the streams are read back over the view's window (the longest token life
 *       plus clock skew); {@link #isWarm()} turns true when all known streams were read to their
 *       end, and only then is the broker ready.
 *   <li><b>Live</b>, outside a Redis Cluster: a pattern subscription to every revocation channel of
 *       the prefix delivers each event within milliseconds and reveals clients that appear at
 *       runtime. Redis Cluster publishes with SPUBLISH, which has no pattern form, so there the
 *       polling below is the live source. Each pass publishes a probe on {@code
 *       <prefix>:revocations:!verdict-probe} (no client's channel: {@code !} is not allowed in an
 *       alias); a subscription that stops receiving it, or that ended, is renewed, and discovery
 *       runs right after, so streams created while nobody listened are found at once.
 *   <li><b>Polling</b> every {@code poll-interval}: every known stream is read after the last id
 *       read from it (one XREAD for many streams; one XRANGE per stream in a cluster, whose
 *       multi-key commands must stay in one slot). This catches what the subscription missed while
 *       reconnecting. The cursor moves only over ids read from the stream in order.
 *   <li><b>Discovery</b> every {@code discovery-interval}: clients come from the issuers'
 *       allow-lists, the set of clients that registered sessions ({@link RedisKeys#clients}), and,
 *       outside a cluster, a SCAN for event streams (clients that received logouts without ever
 *       registering). In a cluster the registered clients are listed on every poll instead, since
 *       no subscription reveals them.
 * </ul>
 *
 * One daemon thread does the reading with the blocking Redis API; it never runs on an event loop.
 *
 * <p>The clients it knows (streams discovered, clients whose tokens the verdict judged, {@link
 * #knowClient}) are also the ones an admin revocation tells besides the allow-list and the
 * registered clients ({@link StreamClients}, RevocationService).
 */
@ApplicationScoped
public class RevocationFeed implements StreamClients {

  private static final Logger LOG = Logger.getLogger(RevocationFeed.class);
  private static final int PAGE = 1000;
  private static final int STREAMS_PER_XREAD = 200;
  private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
  private static final Duration PRUNE_INTERVAL = Duration.ofMinutes(1);

  private final RedisDataSource redis;
  private final Redis redisClient;
  private final RedisKeys keys;
  private final IssuerDirectory issuers;
  private final RevocationView view;
  private final String prefix;
  private final boolean cluster;
  private final Duration window;
  private final Duration pollInterval;
  private final Duration discoveryInterval;
  private final Clock clock = Clock.systemUTC();

  /** Stream name to the last id read from it. */
  private final Map<String, String> cursors = new ConcurrentHashMap<>();

  private volatile boolean warm;
  private volatile boolean redisUnavailable;
  private boolean failing;
  private Instant nextDiscovery = Instant.EPOCH;
  private Instant nextPrune = Instant.now().plus(PRUNE_INTERVAL);
  private volatile boolean running;
  private volatile String lastError = "not started";
  private Thread reader;

  /** The connection that holds the pattern subscription; this feed alone opens and closes it. */
  private volatile RedisConnection subscriber;

  private volatile long subscriptions;
  private volatile long lastProbeReceived;
  private long subscribedAt;
  private final String probeChannel;

  RevocationFeed(
      RedisDataSource redis,
      Redis redisClient,
      RedisKeys keys,
      IssuerDirectory issuers,
      RevocationView view,
      SessionBrokerConfig config,
      @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone")
          String clientType) {
    this.redis = redis;
    this.redisClient = redisClient;
    this.keys = keys;
    this.issuers = issuers;
    this.view = view;
    this.prefix = config.redis().keyPrefix();
    // Not a client channel: '!' cannot appear in an issuer alias.
    this.probeChannel = prefix + ":revocations:!verdict-probe";
    this.cluster = "cluster".equalsIgnoreCase(clientType);
    this.window = config.verdict().maxTokenLifetime().plus(config.logout().clockSkew());
    this.pollInterval = config.verdict().pollInterval();
    this.discoveryInterval = config.verdict().discoveryInterval();
  }

  /**
   * Reads the streams back once before the broker serves requests (each Redis call bounded by
   * {@code quarkus.redis.timeout}), so a started broker is warm unless Redis is unreachable; then
   * keeps reading on its own thread.
   */
  void start(@Observes StartupEvent startup) {
    running = true;
    passOrRecordFailure();
    reader = new Thread(this::run, "verdict-revocation-feed");
    reader.setDaemon(true);
    reader.start();
  }

  void stop(@Observes ShutdownEvent shutdown) {
    running = false;
    if (reader != null) {
      reader.interrupt();
    }
    close(subscriber);
    subscriber = null;
  }

  /** Whether the view holds every stream's events of the window (the broker is ready). */
  public boolean isWarm() {
    return warm;
  }

  /** Whether the last read failed because Redis could not be reached (not a refusal). */
  public boolean redisUnavailable() {
    return redisUnavailable;
  }

  /** Why the feed is not current, or null. */
  public String lastError() {
    return lastError;
  }

  /**
   * Reads the stream of a client whose access token the verdict judged (a client that may keep no
   * registration and never had an event), and makes the client known to admin revocations. A map
   * lookup when the client is known already; the token was verified, so only the issuer's real
   * clients get here.
   */
  void knowClient(String alias, String clientId) {
    knowStream(keys.eventStream(alias, clientId));
  }

  /** The clients of {@code issuer} whose streams this feed reads (no Redis call). */
  @Override
  public Set<String> clientsOf(String issuer) {
    String streamPrefix = keys.eventStream(issuer, "");
    Set<String> clients = new LinkedHashSet<>();
    for (String stream : cursors.keySet()) {
      if (stream.startsWith(streamPrefix) && stream.length() > streamPrefix.length()) {
        clients.add(stream.substring(streamPrefix.length()));
      }
    }
    return clients;
  }

  /** How many client streams the feed reads. */
  public int streamCount() {
    return cursors.size();
  }

  private void run() {
    while (running) {
      try {
        Thread.sleep(lastError == null ? pollInterval.toMillis() : RETRY_AFTER_FAILURE.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      passOrRecordFailure();
    }
  }

  private void passOrRecordFailure() {
    try {
      pass();
      if (failing) {
        LOG.info("Reading revocation streams for verdicts works again");
      }
      failing = false;
      lastError = null;
      redisUnavailable = false;
    } catch (RuntimeException e) {
      String error = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!failing) {
        LOG.warnf("Reading revocation streams for verdicts failed, retrying: %s", error);
      } else {
        LOG.debugf("Reading revocation streams for verdicts still fails: %s", error);
      }
      lastError = error;
      failing = true;
      redisUnavailable = RedisFailures.isUnavailable(e);
      // Whatever was published meanwhile is in the streams; new streams are found by discovery.
      nextDiscovery = Instant.EPOCH;
    }
  }

  /**
   * Subscribe when needed, discover when due, read every stream, publish the probe, prune when due.
   * The subscription is renewed with each discovery, after a failure, when it ended and when its
   * probes stopped arriving; discovery follows every renewal.
   */
  private void pass() {
    long now = clock.millis();
    boolean discoveryDue = now >= nextDiscovery.toEpochMilli();
    if (!cluster && (subscriber == null || discoveryDue || subscriptionSilent(now))) {
      renewSubscription();
      subscribedAt = now;
      // Streams created while no subscription listened are found by discovery.
      discoveryDue = true;
    }
    if (discoveryDue) {
      discover();
      nextDiscovery = clock.instant().plus(discoveryInterval);
    } else if (cluster) {
      // No subscription reveals new clients here: the registered ones are listed every pass.
      discoverRegisteredClients();
    }
    readAll();
    if (!cluster) {
      redis.execute("PUBLISH", probeChannel, "probe");
    }
    if (!warm) {
      warm = true;
      LOG.infof(
          "Verdict view warm: %d client streams read over the last %s, %d revocations",
          cursors.size(), window, view.size());
    }
    if (!clock.instant().isBefore(nextPrune)) {
      view.dropOlderThanWindow(clock.instant());
      nextPrune = clock.instant().plus(PRUNE_INTERVAL);
    }
  }

  /**
   * Whether the subscription missed the probes this feed publishes each pass: a pub/sub connection
   * can die without telling its subscriber (a Redis restart).
   */
  private boolean subscriptionSilent(long now) {
    long timeout = Math.max(3 * pollInterval.toMillis(), 3000);
    return now - subscribedAt > timeout && now - lastProbeReceived > timeout;
  }

  void renewSubscription() {
    RedisConnection previous = subscriber;
    subscriber = null;
    close(previous);
    subscribe();
  }

  /**
   * Subscribes to every client's revocation channel on a connection of its own; a new client's
   * channel is found by it. Only the current subscription's end or failure asks for a new one (the
   * next pass subscribes). The connection is closed whenever it is given up, also when the
   * PSUBSCRIBE timed out: its late confirmation would otherwise leave it subscribed and out of the
   * pool for good.
   */
  private void subscribe() {
    String pattern = prefix + ":revocations:*";
    long generation = ++subscriptions;
    RedisConnection connection = redisClient.connect().await().atMost(SUBSCRIBE_TIMEOUT);
    try {
      connection.handler(push -> onPush(push));
      connection.exceptionHandler(
          failure -> {
            LOG.debugf(
                "Verdict subscription to %s failed, resubscribing: %s",
                pattern, failure.getMessage());
            dropIfCurrent(generation);
          });
      connection.endHandler(() -> dropIfCurrent(generation));
      connection
          .send(Request.cmd(Command.PSUBSCRIBE).arg(pattern))
          .await()
          .atMost(SUBSCRIBE_TIMEOUT);
    } catch (RuntimeException e) {
      close(connection);
      throw e;
    }
    subscriber = connection;
  }

  /** A message of the pattern subscription: {@code [pmessage, pattern, channel, payload]}. */
  private void onPush(Response push) {
    if (push == null || push.size() < 4 || !"pmessage".equalsIgnoreCase(push.get(0).toString())) {
      return;
    }
    String channel = push.get(2).toString();
    if (probeChannel.equals(channel)) {
      lastProbeReceived = clock.millis();
    } else if (view.apply(push.get(3).toString())) {
      knowStream(streamOfChannel(channel));
    }
  }

  private static void close(RedisConnection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close().await().atMost(SUBSCRIBE_TIMEOUT);
    } catch (RuntimeException e) {
      LOG.debugf("Closing the verdict subscription's connection failed: %s", e.getMessage());
    }
  }

  private void dropIfCurrent(long generation) {
    if (subscriptions == generation) {
      RedisConnection ended = subscriber;
      subscriber = null;
      close(ended);
    }
  }

  private String streamOfChannel(String channel) {
    // <prefix>:revocations:<alias>:<clientId> -> <prefix>:events:<alias>:<clientId>
    return prefix + ":events:" + channel.substring(prefix.length() + ":revocations:".length());
  }

  private void discover() {
    discoverRegisteredClients();
    for (Issuer issuer : issuers.all()) {
      issuer
          .clientAllowList()
          .forEach(client -> knowStream(keys.eventStream(issuer.alias(), client)));
      if (!cluster) {
        scanStreams(issuer.alias());
      }
    }
  }

  private void discoverRegisteredClients() {
    for (Issuer issuer : issuers.all()) {
      Response registered = redis.execute("SMEMBERS", keys.clients(issuer.alias()));
      if (registered != null) {
        registered.forEach(
            client -> knowStream(keys.eventStream(issuer.alias(), client.toString())));
      }
    }
  }

  private void scanStreams(String alias) {
    String match = keys.eventStream(alias, "*");
    String cursor = "0";
    do {
      Response page =
          redis.execute("SCAN", cursor, "MATCH", match, "COUNT", "1000", "TYPE", "stream");
      cursor = page.get(0).toString();
      page.get(1).forEach(stream -> knowStream(stream.toString()));
    } while (!"0".equals(cursor));
  }

  /** A stream seen for the first time is read from the start of the window. */
  private void knowStream(String stream) {
    // Ids are read after the cursor: one millisecond before the window start reads all of it.
    cursors.computeIfAbsent(
        stream, s -> Math.max(0, clock.millis() - window.toMillis() - 1) + "-0");
  }

  private void readAll() {
    List<String> streams = new ArrayList<>(cursors.keySet());
    if (cluster) {
      streams.forEach(this::readOne);
      return;
    }
    for (int from = 0; from < streams.size(); from += STREAMS_PER_XREAD) {
      readMany(streams.subList(from, Math.min(streams.size(), from + STREAMS_PER_XREAD)));
    }
  }

  /** Reads one stream after its cursor to its end, page by page. */
  private void readOne(String stream) {
    int read;
    do {
      Response entries =
          redis.execute(
              "XRANGE", stream, "(" + cursors.get(stream), "+", "COUNT", Integer.toString(PAGE));
      read = applyEntries(stream, entries);
    } while (read == PAGE);
  }

  /** One XREAD for many streams (one slot is no concern outside a cluster). */
  private void readMany(List<String> streams) {
    while (true) {
      List<String> args = new ArrayList<>(4 + 2 * streams.size());
      args.add("COUNT");
      args.add(Integer.toString(PAGE));
      args.add("STREAMS");
      args.addAll(streams);
      streams.forEach(stream -> args.add(cursors.get(stream)));
      Response reply = redis.execute("XREAD", args.toArray(String[]::new));
      if (reply == null) {
        return;
      }
      boolean more = false;
      for (Response perStream : reply) {
        more |= applyEntries(perStream.get(0).toString(), perStream.get(1)) == PAGE;
      }
      if (!more) {
        return;
      }
    }
  }

  private int applyEntries(String stream, Response entries) {
    if (entries == null) {
      return 0;
    }
    int read = 0;
    for (Response entry : entries) {
      EventEntry.read(stream, entry).ifPresent(view::apply);
      cursors.put(stream, entry.get(0).toString());
      read++;
    }
    return read;
  }
}
