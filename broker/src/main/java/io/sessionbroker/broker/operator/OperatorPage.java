package io.sessionbroker.broker.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.broker.admin.AdminRevocations;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.diagnostics.ClientSettingsReport;
import io.sessionbroker.broker.diagnostics.IssuerDiagnostics;
import io.sessionbroker.broker.diagnostics.IssuerReport;
import io.sessionbroker.broker.diagnostics.KeycloakClientSettings;
import io.sessionbroker.broker.session.IdRule;
import io.sessionbroker.broker.session.SessionQuery;
import io.sessionbroker.broker.session.SessionRecord;
import io.sessionbroker.broker.session.SessionStore;
import io.sessionbroker.broker.session.SubjectRule;
import io.sessionbroker.broker.store.EventEntry;
import io.sessionbroker.broker.store.RedisKeys;
import io.sessionbroker.broker.token.Issuer;
import io.sessionbroker.broker.token.IssuerDirectory;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.redis.client.Response;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * The operator's page of one issuer, {@code /operator/<alias>} (admin role of that issuer only;
 * sign-in through Keycloak with the issuer's operator client, session cookie): live feed of the
 * issuer's revocation events per client, counts from the broker's own Micrometer meters, journal
 * depth, the diagnostics report and a search by {@code sid}/{@code sub}. Server-rendered with Qute;
 * the feed is server-sent events read from the clients' streams.
 */
@Path("/operator/{alias}")
@Authenticated
public class OperatorPage {

  private static final int RECENT_EVENTS = 50;
  private static final int SEARCH_LIMIT = 50;
  private static final Duration FEED_POLL = Duration.ofMillis(500);

  private final Template operator;
  private final IssuerDirectory issuers;
  private final IssuerDiagnostics diagnostics;
  private final KeycloakClientSettings clientSettings;
  private final SessionStore sessions;
  private final RedisDataSource redis;
  private final RedisKeys keys;
  private final MeterRegistry metrics;
  private final SecurityIdentity identity;
  private final String adminRole;
  private final AdminRevocations adminRevocations;

  private static final Logger LOG = Logger.getLogger(OperatorPage.class);

  OperatorPage(
      @Location("operator.html") Template operator,
      IssuerDirectory issuers,
      IssuerDiagnostics diagnostics,
      KeycloakClientSettings clientSettings,
      SessionStore sessions,
      RedisDataSource redis,
      RedisKeys keys,
      MeterRegistry metrics,
      SecurityIdentity identity,
      SessionBrokerConfig config,
      AdminRevocations adminRevocations) {
    this.operator = operator;
    this.issuers = issuers;
    this.diagnostics = diagnostics;
    this.clientSettings = clientSettings;
    this.sessions = sessions;
    this.redis = redis;
    this.keys = keys;
    this.metrics = metrics;
    this.identity = identity;
    this.adminRole = config.api().adminRole();
    this.adminRevocations = adminRevocations;
  }

  /** The page; with {@code sid} or {@code sub}, also the registered sessions they match. */
  @GET
  @Blocking
  @Produces(MediaType.TEXT_HTML)
  @Operation(hidden = true)
  public TemplateInstance page(
      @PathParam("alias") String alias,
      @QueryParam("sid") String sid,
      @QueryParam("sub") String sub,
      @QueryParam("revoked") String revoked) {
    Issuer issuer = authorise(alias);
    String sidFilter = IdRule.requireOptional("sid", emptyToNull(sid));
    String subFilter = SubjectRule.requireOptional("sub", emptyToNull(sub));
    List<SessionRecord> found = List.of();
    if (sidFilter != null || subFilter != null) {
      found =
          sessions
              .query(
                  new SessionQuery(
                      alias, null, sidFilter, subFilter, SEARCH_LIMIT, null, "operator:" + alias))
              .items();
    }
    IssuerReport reachability = diagnostics.check(issuer);
    Optional<List<ClientSettingsReport>> settings =
        reachability.ok() ? clientSettings.check(issuer) : Optional.empty();
    return operator
        .data("alias", alias)
        .data("operatorName", operatorName())
        .data("recent", recentEvents(alias))
        .data("logoutCounts", logoutCounts())
        .data("publishedCounts", publishedCounts(alias))
        .data("journalDepth", journalDepth())
        .data("reachability", reachability)
        .data("clientSettings", settings.orElse(null))
        .data("sid", sidFilter == null ? "" : sidFilter)
        .data("sub", subFilter == null ? "" : subFilter)
        .data("searched", sidFilter != null || subFilter != null)
        .data("revoked", revoked == null ? "" : revoked)
        .data("found", found);
  }

  /**
   * New revocation events of the issuer as they are appended to its clients' streams, one SSE
   * message per event (data: the event JSON as stored), polled every 500 ms.
   */
  @GET
  @Path("feed")
  @Blocking
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Operation(hidden = true)
  public Multi<String> feed(@PathParam("alias") String alias) {
    authorise(alias);
    Map<String, String> lastIds = new ConcurrentHashMap<>();
    for (String clientId : clientsOf(alias)) {
      lastIds.put(clientId, newestId(alias, clientId).orElse("0-0"));
    }
    return Multi.createFrom()
        .ticks()
        .every(FEED_POLL)
        .onOverflow()
        .drop()
        // Redis is read with the blocking client: never on the ticking or an event-loop thread.
        .emitOn(Infrastructure.getDefaultWorkerPool())
        .onItem()
        .transformToIterable(tick -> newEvents(alias, lastIds));
  }

  /**
   * The page's "Revoke" button: an admin revocation of one SSO session ({@code sid}) or of every
   * session of a user ({@code sub}), exactly as {@code POST /api/v1/revocations} does it (events
   * with reason {@code admin}, then the Keycloak session ended when the issuer has an admin
   * client). Only same-origin form posts are taken (Origin header), so another site cannot make a
   * signed-in operator's browser revoke. Answers 303 back to the page, which names the outcome.
   */
  @POST
  @Path("revocations")
  @Blocking
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(hidden = true)
  public jakarta.ws.rs.core.Response revoke(
      @PathParam("alias") String alias,
      @FormParam("sid") String sid,
      @FormParam("sub") String sub,
      @HeaderParam("Origin") String origin,
      @Context UriInfo uri) {
    authorise(alias);
    String base = uri.getBaseUri().toString().replaceAll("/$", "");
    if (origin == null || !base.equals(origin)) {
      throw new ForbiddenException("revocations from the operator page must come from the page");
    }
    String sidValue = emptyToNull(sid);
    String subValue = emptyToNull(sub);
    if ((sidValue == null) == (subValue == null)) {
      throw new BadRequestException("give exactly one of sid and sub");
    }
    IdRule.requireOptional("sid", sidValue);
    SubjectRule.requireOptional("sub", subValue);
    AdminRevocations.Outcome revoked =
        sidValue != null
            ? adminRevocations.bySid(alias, sidValue)
            : adminRevocations.bySub(alias, subValue);
    LOG.infof(
        "Operator '%s' revoked by %s on issuer '%s': %d event(s), Keycloak session %s",
        operatorName(),
        sidValue != null ? "sid" : "sub",
        alias,
        revoked.events().size(),
        revoked.keycloakSession());
    String outcome =
        revoked.events().size() + " event(s); Keycloak session: " + revoked.keycloakSession();
    String back =
        "/operator/"
            + alias
            + "?"
            + (sidValue != null ? "sid=" + encode(sidValue) : "sub=" + encode(subValue))
            + "&revoked="
            + encode(outcome);
    return jakarta.ws.rs.core.Response.seeOther(URI.create(back)).build();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private Issuer authorise(String alias) {
    Issuer issuer = issuers.byAlias(alias).orElseThrow(NotFoundException::new);
    if (!(identity.getPrincipal() instanceof JsonWebToken token)
        || !issuer.url().equals(token.getIssuer())) {
      throw new ForbiddenException("signed in with another issuer");
    }
    if (!identity.hasRole(adminRole)) {
      throw new ForbiddenException("the operator page needs the realm role " + adminRole);
    }
    return issuer;
  }

  private String operatorName() {
    if (identity.getPrincipal() instanceof JsonWebToken token) {
      Object name = token.getClaim("preferred_username");
      if (name != null) {
        return name.toString();
      }
    }
    return identity.getPrincipal().getName();
  }

  /** Clients with a stream: those that registered sessions, and those events were counted for. */
  private List<String> clientsOf(String alias) {
    TreeSet<String> clients = new TreeSet<>();
    Response members = redis.execute("SMEMBERS", keys.clients(alias));
    if (members != null) {
      members.forEach(member -> clients.add(member.toString()));
    }
    issuers.byAlias(alias).ifPresent(issuer -> clients.addAll(issuer.clientAllowList()));
    for (Counter counter :
        metrics.find("sessionbroker.events.published").tag("issuer", alias).counters()) {
      clients.add(counter.getId().getTag("client"));
    }
    return new ArrayList<>(clients);
  }

  private List<FeedEvent> recentEvents(String alias) {
    List<FeedEvent> events = new ArrayList<>();
    for (String clientId : clientsOf(alias)) {
      Response entries =
          redis.execute(
              "XREVRANGE",
              keys.eventStream(alias, clientId),
              "+",
              "-",
              "COUNT",
              Integer.toString(RECENT_EVENTS));
      if (entries != null) {
        String stream = keys.eventStream(alias, clientId);
        entries.forEach(
            entry -> EventEntry.read(stream, entry).ifPresent(e -> events.add(FeedEvent.of(e))));
      }
    }
    events.sort(Comparator.comparing(FeedEvent::id, FeedEvent::compareIds).reversed());
    return events.size() > RECENT_EVENTS ? events.subList(0, RECENT_EVENTS) : events;
  }

  private Optional<String> newestId(String alias, String clientId) {
    Response entries =
        redis.execute("XREVRANGE", keys.eventStream(alias, clientId), "+", "-", "COUNT", "1");
    if (entries == null || entries.size() == 0) {
      return Optional.empty();
    }
    return Optional.of(entries.get(0).get(0).toString());
  }

  private List<String> newEvents(String alias, Map<String, String> lastIds) {
    for (String clientId : clientsOf(alias)) {
      lastIds.putIfAbsent(clientId, "0-0");
    }
    List<String> out = new ArrayList<>();
    lastIds.forEach(
        (clientId, lastId) -> {
          String stream = keys.eventStream(alias, clientId);
          Response entries = redis.execute("XRANGE", stream, "(" + lastId, "+", "COUNT", "100");
          if (entries == null) {
            return;
          }
          for (Response entry : entries) {
            EventEntry.read(stream, entry).ifPresent(event -> out.add(event.toString()));
            lastIds.put(clientId, entry.get(0).toString());
          }
        });
    return out;
  }

  /**
   * {@code sessionbroker.logout.tokens} by outcome and rule (this broker instance, since start).
   */
  private List<CountRow> logoutCounts() {
    List<CountRow> rows = new ArrayList<>();
    for (Counter counter : metrics.find("sessionbroker.logout.tokens").counters()) {
      rows.add(
          new CountRow(
              counter.getId().getTag("outcome"),
              counter.getId().getTag("rule"),
              (long) counter.count()));
    }
    rows.sort(Comparator.comparing(CountRow::first).thenComparing(CountRow::second));
    return rows;
  }

  /** {@code sessionbroker.events.published} of this issuer by client. */
  private List<CountRow> publishedCounts(String alias) {
    List<CountRow> rows = new ArrayList<>();
    for (Counter counter :
        metrics.find("sessionbroker.events.published").tag("issuer", alias).counters()) {
      rows.add(new CountRow(counter.getId().getTag("client"), "", (long) counter.count()));
    }
    rows.sort(Comparator.comparing(CountRow::first));
    return rows;
  }

  /** Revocations waiting in the local journal for Redis; -1 when the gauge is not registered. */
  private long journalDepth() {
    Gauge gauge = metrics.find("sessionbroker.outbox.journaled").gauge();
    return gauge == null ? -1 : (long) gauge.value();
  }

  /**
   * A form or query field as the id it names: null when absent or empty (a field left empty), else
   * exactly as given. Never trimmed: white space may be part of a {@code sub} (SubjectRule), so a
   * trimmed one could name another user.
   */
  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  /**
   * A row of counts.
   *
   * @param first outcome, or client id
   * @param second rule, or empty
   * @param count how many since the broker started
   */
  public record CountRow(String first, String second, long count) {}
}
