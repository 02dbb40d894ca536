package io.sessionbroker.broker.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.security.Caller;
import io.sessionbroker.broker.security.CallerResolver;
import io.sessionbroker.broker.session.EventLog;
import io.sessionbroker.broker.session.IdRule;
import io.sessionbroker.broker.session.StreamId;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The calling client's revocation log over HTTP, for apps that cannot reach Redis. */
@Path("/api/v1/events")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Events")
public class EventResource {

  private final EventLog events;
  private final CallerResolver callers;
  private final SecurityIdentity identity;
  private final SessionBrokerConfig.Api limits;

  EventResource(
      EventLog events,
      CallerResolver callers,
      SecurityIdentity identity,
      SessionBrokerConfig config) {
    this.events = events;
    this.callers = callers;
    this.identity = identity;
    this.limits = config.api();
  }

  /**
   * Events with an id greater than {@code after}, oldest first, of the calling app's client; the
   * admin role may name any {@code clientId} of its own issuer. {@code next} is the id to pass as
   * {@code after} for the following page, or null when this page is the last for now. A stream
   * entry that is not a readable event (not a JSON object) is left out of {@code items}, with a
   * WARN in the broker's log, but counts towards {@code limit} and {@code next} moves past it, as
   * the client libraries skip it (see {@code EventEntry#read}).
   */
  @GET
  @Operation(summary = "Read the calling client's revocation events after an id")
  public Map<String, Object> read(
      @QueryParam("after") String after,
      @QueryParam("limit") String limit,
      @QueryParam("clientId")
          @jakarta.validation.constraints.Pattern(
              regexp = IdRule.PATTERN,
              message = IdRule.DESCRIPTION)
          String clientId) {
    Caller caller = callers.resolve(identity);
    String client;
    if (caller.admin()) {
      client = clientId == null ? caller.clientId() : clientId;
    } else {
      client = caller.appClientId();
      if (clientId != null && !clientId.equals(client)) {
        throw new ForbiddenException("an app may only read its own client's events");
      }
    }
    StreamId from = null;
    if (after != null) {
      try {
        from = StreamId.firstAfter(after);
      } catch (IllegalArgumentException e) {
        throw ApiRequestException.badRequest(
            "after must be an event id such as 1764000000000-0 (two numbers up to 2^64-1, not"
                + " both the largest)");
      }
    }
    int pageSize = PageLimits.parse(limit, limits);
    List<EventLog.ReadEvent> page = events.read(caller.issuer().alias(), client, from, pageSize);
    List<JsonNode> items = new ArrayList<>(page.size());
    // An unreadable entry is skipped, yet counts for the page: next moves past it.
    page.forEach(entry -> entry.event().ifPresent(items::add));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", items);
    body.put("next", page.size() == pageSize ? page.get(page.size() - 1).id() : null);
    return body;
  }
}
