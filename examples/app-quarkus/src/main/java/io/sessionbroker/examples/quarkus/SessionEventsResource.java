package io.sessionbroker.examples.quarkus;

import io.quarkus.oidc.IdToken;
import io.quarkus.security.identity.SecurityIdentity;
import io.sessionbroker.client.SessionBrokerClient;
import io.sessionbroker.client.push.PushSink;
import io.sessionbroker.client.push.SessionEventsHub;
import io.sessionbroker.client.push.SessionKeys;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * {@code GET /session-broker/events}: live push to this tab (the client library's {@link
 * SessionEventsHub} over JAX-RS server-sent events; the servlet apps use the library's servlet).
 * The page script itself, {@code /session-broker/session-events.js}, is a static resource of the
 * client library jar ({@code META-INF/resources}), served by Quarkus as is.
 */
@Path("/session-broker/events")
public class SessionEventsResource {

  private static final long WRITE_TIMEOUT_SECONDS = 5;

  // @IdToken qualifies fields only, so this one is field-injected (a request-scoped proxy).
  @Inject @IdToken JsonWebToken idToken;

  private final SessionEventsHub hub;
  private final SessionBrokerClient broker;
  private final SecurityIdentity identity;

  @Inject
  SessionEventsResource(
      SessionEventsHub hub, SessionBrokerClient broker, SecurityIdentity identity) {
    this.hub = hub;
    this.broker = broker;
    this.identity = identity;
  }

  @GET
  @Blocking // waits for its first write; never on the event loop, which does the writing
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void events(@Context SseEventSink events, @Context Sse sse) {
    JaxRsSink sink = new JaxRsSink(events, sse);
    if (identity.isAnonymous()) {
      hub.sendSignedOut(sink);
      return;
    }
    SignedInSession session = SignedInSession.of(idToken);
    if (broker.isRevoked(session.sid(), session.subject(), session.createdAt())) {
      hub.sendSignedOut(sink);
      return;
    }
    try {
      hub.open(
          new SessionKeys(
              session.registrationId(), session.sid(), session.subject(), session.createdAt()),
          sink);
    } catch (SessionEventsHub.TooManyStreamsException e) {
      hub.sendSignedOut(sink);
      return;
    }
    try {
      sink.comment("connected"); // sends the headers now, so the browser's stream opens
    } catch (IOException gone) {
      sink.close(); // the heartbeat removes it from the hub
    }
  }

  /** Writes to a JAX-RS event sink, waiting for each write so failures surface. */
  private record JaxRsSink(SseEventSink events, Sse sse) implements PushSink {

    @Override
    public void send(String name, String data) throws IOException {
      await(events.send(sse.newEventBuilder().name(name).data(data).build()));
    }

    @Override
    public void heartbeat() throws IOException {
      comment("keep-alive");
    }

    void comment(String text) throws IOException {
      await(events.send(sse.newEventBuilder().comment(text).build()));
    }

    private void await(java.util.concurrent.CompletionStage<?> write) throws IOException {
      if (events.isClosed()) {
        throw new IOException("stream closed");
      }
      try {
        write.toCompletableFuture().get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IOException("write failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    @Override
    public void close() {
      if (!events.isClosed()) {
        events.close();
      }
    }
  }
}
