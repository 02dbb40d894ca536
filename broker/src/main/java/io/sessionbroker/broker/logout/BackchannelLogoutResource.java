package io.sessionbroker.broker.logout;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The declaration of {@code /backchannel-logout} for the REST layer: {@code /q/openapi} lists the
 * endpoint from here, and requests with another method than {@code POST} get the REST layer's
 * {@code 405}. Every {@code POST} is served before it by {@link BackchannelLogoutRoute}, which
 * describes the answers.
 */
@Path(BackchannelLogoutRoute.PATH)
@Tag(name = "Keycloak callbacks")
public class BackchannelLogoutResource {

  /**
   * Never called: {@link BackchannelLogoutRoute} answers every {@code POST} first.
   *
   * @throws IllegalStateException always (a {@code 500}), should the route ever not be registered
   */
  @POST
  @NonBlocking
  @Operation(summary = "Receive a back-channel logout token (form field logout_token)")
  public CompletionStage<Response> receive(
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
    throw new IllegalStateException(
        "POST " + BackchannelLogoutRoute.PATH + " is served by BackchannelLogoutRoute");
  }
}
