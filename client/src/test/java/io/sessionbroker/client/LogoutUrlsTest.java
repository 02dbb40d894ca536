package io.sessionbroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogoutUrlsTest {

  private static final URI ISSUER = URI.create("https://sso.example.com/realms/acme");
  private static final URI END_SESSION =
      URI.create("https://sso.example.com/realms/acme/protocol/openid-connect/logout");

  private static Map<String, String> query(URI uri) {
    Map<String, String> parameters = new LinkedHashMap<>();
    Arrays.stream(uri.getRawQuery().split("&"))
        .map(pair -> pair.split("=", 2))
        .forEach(
            pair -> parameters.put(pair[0], URLDecoder.decode(pair[1], StandardCharsets.UTF_8)));
    return parameters;
  }

  @Test
  void whenIdTokenHintAndRedirectThenUrlCarriesBothEncodedAndNoRedirectUri() {
    URI url =
        LogoutUrls.forKeycloakIssuer(ISSUER)
            .logoutWithIdToken("eyJ.a+b/c=", URI.create("https://app.example.com/bye?x=1&y=2"));

    assertThat(url.getPath()).isEqualTo("/realms/acme/protocol/openid-connect/logout");
    assertThat(query(url))
        .containsExactly(
            Map.entry("id_token_hint", "eyJ.a+b/c="),
            Map.entry("post_logout_redirect_uri", "https://app.example.com/bye?x=1&y=2"));
    assertThat(url.getRawQuery())
        .contains("post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye%3Fx%3D1%26y%3D2")
        .contains("id_token_hint=eyJ.a%2Bb%2Fc%3D")
        .satisfies(
            q ->
                assertThat(q.replace("post_logout_redirect_uri", ""))
                    .doesNotContain("redirect_uri"));
  }

  @Test
  void whenOnlyClientIdThenUrlCarriesClientIdAndState() {
    URI url =
        KeycloakLogoutUrl.builder(END_SESSION)
            .clientId("app 1")
            .postLogoutRedirectUri("https://app.example.com/")
            .state("s t")
            .uiLocales("de en")
            .build();

    assertThat(query(url))
        .containsExactly(
            Map.entry("client_id", "app 1"),
            Map.entry("post_logout_redirect_uri", "https://app.example.com/"),
            Map.entry("state", "s t"),
            Map.entry("ui_locales", "de en"));
    assertThat(url.getRawQuery()).contains("client_id=app%201").doesNotContain("+");
  }

  @Test
  void whenRedirectHasNeitherHintNorClientIdThenBuildFails() {
    KeycloakLogoutUrl.Builder builder =
        KeycloakLogoutUrl.builder(END_SESSION).postLogoutRedirectUri("https://app.example.com/");

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("id_token_hint or client_id");
  }

  @Test
  void whenNoParametersThenUrlIsTheBareEndpoint() {
    assertThat(KeycloakLogoutUrl.builder(END_SESSION).build()).isEqualTo(END_SESSION);
  }

  @Test
  void whenEndpointAlreadyHasAQueryThenParametersAreAppended() {
    URI url =
        KeycloakLogoutUrl.builder(URI.create("https://idp.example.com/logout?tenant=a"))
            .clientId("app1")
            .build();

    assertThat(url.toString()).isEqualTo("https://idp.example.com/logout?tenant=a&client_id=app1");
  }

  @Test
  void whenIssuerHasTrailingSlashThenEndpointHasNoDoubleSlash() {
    assertThat(KeycloakLogoutUrl.endSessionEndpointOf(URI.create(ISSUER + "/")))
        .isEqualTo(END_SESSION);
  }

  @Test
  void whenDiscoveringThenEndSessionEndpointComesFromTheWellKnownDocument() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/acme";
    server.createContext(
        "/realms/acme/.well-known/openid-configuration",
        exchange -> {
          byte[] body =
              ("{\"issuer\":\""
                      + issuer
                      + "\",\"end_session_endpoint\":\"https://sso.example.com/custom/logout\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.createContext(
        "/realms/bare/.well-known/openid-configuration",
        exchange -> {
          byte[] body = "{\"issuer\":\"x\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      LogoutUrls urls = LogoutUrls.discover(URI.create(issuer));
      assertThat(urls.endSessionEndpoint())
          .isEqualTo(URI.create("https://sso.example.com/custom/logout"));
      assertThat(urls.logoutWithClientId("app1", URI.create("https://app/")).toString())
          .startsWith("https://sso.example.com/custom/logout?client_id=app1&");

      URI bare = URI.create(issuer.replace("acme", "bare"));
      assertThatThrownBy(() -> LogoutUrls.discover(bare))
          .isInstanceOf(SessionBrokerException.class)
          .hasMessageContaining("end_session_endpoint");
    } finally {
      server.stop(0);
    }
  }
}
