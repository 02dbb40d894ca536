package io.sessionbroker.broker.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionbroker.testsupport.FreePorts;
import io.sessionbroker.testsupport.TestIssuer;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link IssuerMetadataClient} against a real issuer over HTTP on loopback ({@link TestIssuer}).
 */
class IssuerMetadataClientTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static TestIssuer issuer;
  private final IssuerMetadataClient client = new IssuerMetadataClient(Duration.ofSeconds(30));

  @BeforeAll
  static void startIssuer() {
    issuer = TestIssuer.start("metadata");
  }

  @AfterAll
  static void stopIssuer() {
    issuer.close();
  }

  @AfterEach
  void serveTheRegularDocument() {
    issuer.answerDiscoveryNormally();
  }

  private String discoveryUrl() {
    return issuer.url() + "/.well-known/openid-configuration";
  }

  @Test
  void whenTheDocumentIsGoodThenItsIssuerAndEndpointsAreRead() throws Exception {
    IssuerMetadata metadata = client.discover(issuer.url());

    String endpoints = issuer.url() + "/protocol/openid-connect";
    assertThat(metadata.discoveryUrl()).isEqualTo(discoveryUrl());
    assertThat(metadata.issuer()).isEqualTo(issuer.url());
    assertThat(metadata.jwksUri()).contains(issuer.jwksUrl());
    assertThat(metadata.requireJwksUri()).isEqualTo(issuer.jwksUrl());
    assertThat(metadata.tokenEndpoint()).contains(endpoints + "/token");
    assertThat(metadata.requireTokenEndpoint()).isEqualTo(endpoints + "/token");
    assertThat(metadata.endSessionEndpoint()).contains(endpoints + "/logout");
  }

  @Test
  void whenTheIssuerUrlEndsWithASlashThenTheSlashIsRemovedBeforeTheWellKnownPath()
      throws Exception {
    assertThat(IssuerMetadataClient.discoveryUrl(issuer.url() + "/")).isEqualTo(discoveryUrl());
    assertThat(client.discover(issuer.url() + "/").issuer()).isEqualTo(issuer.url());
  }

  @Test
  void whenTheJwksIsReadThenItHoldsThePublishedSigningKey() throws Exception {
    JsonWebKeySet jwks = client.fetchJwks(issuer.jwksUrl());

    assertThat(jwks.getJsonWebKeys())
        .extracting(JsonWebKey::getKeyId)
        .contains(issuer.signingKey().getKeyId());
  }

  @Test
  void whenTheDocumentHasNoJwksUriThenRequiringItNamesTheDocumentAndTheField() throws Exception {
    Map<String, Object> document = issuer.discoveryDocument();
    document.remove("jwks_uri");
    issuer.answerDiscoveryWith(200, "application/json", JSON.writeValueAsString(document));

    IssuerMetadata metadata = client.discover(issuer.url());
    IssuerMetadataException failure =
        catchThrowableOfType(metadata::requireJwksUri, IssuerMetadataException.class);

    assertThat(metadata.jwksUri()).isEmpty();
    assertThat(metadata.tokenEndpoint()).isPresent();
    assertThat(failure).isNotNull();
    assertThat(failure.reason()).isEqualTo(IssuerMetadataException.Reason.INVALID);
    assertThat(failure).hasMessage("OpenID discovery " + discoveryUrl() + " has no jwks_uri");
  }

  @Test
  void whenAnEndpointIsNoHttpUrlThenRequiringItSaysSo() throws Exception {
    Map<String, Object> document = issuer.discoveryDocument();
    document.put("token_endpoint", "/protocol/openid-connect/token");
    issuer.answerDiscoveryWith(200, "application/json", JSON.writeValueAsString(document));

    IssuerMetadata metadata = client.discover(issuer.url());
    IssuerMetadataException failure =
        catchThrowableOfType(metadata::requireTokenEndpoint, IssuerMetadataException.class);

    assertThat(failure).isNotNull();
    assertThat(failure.reason()).isEqualTo(IssuerMetadataException.Reason.INVALID);
    assertThat(failure)
        .hasMessageContaining(discoveryUrl())
        .hasMessageContaining("no usable token_endpoint")
        .hasMessageContaining("not an absolute http(s) URL");
  }

  @Test
  void whenDiscoveryAnswersNot200ThenTheFailureNamesTheUrlAndTheStatus() {
    issuer.answerDiscoveryWith(404, "text/plain", "Realm does not exist");

    IssuerMetadataException failure =
        catchThrowableOfType(() -> client.discover(issuer.url()), IssuerMetadataException.class);

    assertThat(failure).isNotNull();
    assertThat(failure.reason()).isEqualTo(IssuerMetadataException.Reason.HTTP_STATUS);
    assertThat(failure.status()).isEqualTo(404);
    assertThat(failure.url()).isEqualTo(discoveryUrl());
    assertThat(failure).hasMessage("OpenID discovery " + discoveryUrl() + " answered HTTP 404");
  }

  @Test
  void whenDiscoveryAnswersNoJsonThenTheFailureSaysSo() {
    issuer.answerDiscoveryWith(200, "text/html", "<html><body>Sign in</body></html>");

    IssuerMetadataException failure =
        catchThrowableOfType(() -> client.discover(issuer.url()), IssuerMetadataException.class);

    assertThat(failure).isNotNull();
    assertThat(failure.reason()).isEqualTo(IssuerMetadataException.Reason.NOT_JSON);
    assertThat(failure).hasMessageStartingWith("OpenID discovery " + discoveryUrl());
    assertThat(failure).hasMessageContaining("answered no JSON");
  }

  @Test
  void whenDiscoveryAnswersJsonThatIsNoObjectThenTheFailureSaysSo() {
    issuer.answerDiscoveryWith(200, "application/json", "[\"issuer\"]");

    IssuerMetadataException failure =
        catchThrowableOfType(() -> client.discover(issuer.url()), IssuerMetadataException.class);

    assertThat(failure).isNotNull();
    assertThat(failure.reason()).isEqualTo(IssuerMetadataException.Reason.NOT_JSON);
    assertThat(failure)
        .hasMessage("OpenID discovery " + discoveryUrl() + " answered no JSON object");
  }

  @Test
  void whenNothingListensThenTheFailureNamesTheUrlAndTheRefusedConnection() {
    String nowhere = "http://127.0.0.1:" + FreePorts.next() + "/realms/nowhere";

    IssuerMetadataException failure =
        catchThrowableOfType(() -> client.discover(nowhere), IssuerMetadataException.class);

    assertThat(failure).isNotNull();
    assertThat(failure.reason()).isEqualTo(IssuerMetadataException.Reason.UNREACHABLE);
    assertThat(failure.ioFailure()).isNotNull();
    assertThat(failure.ioFailure()).isInstanceOf(ConnectException.class);
    assertThat(failure)
        .hasMessageStartingWith(
            "OpenID discovery " + nowhere + "/.well-known/openid-configuration: ")
        .hasMessageContaining("cannot connect");
  }

  @Test
  void whenTheJwksUrlAnswersNot200ThenTheFailureNamesTheJwksUrl() {
    String missing = issuer.url() + "/protocol/openid-connect/no-certs";

    IssuerMetadataException failure =
        catchThrowableOfType(() -> client.fetchJwks(missing), IssuerMetadataException.class);

    assertThat(failure).isNotNull();
    assertThat(failure.reason()).isEqualTo(IssuerMetadataException.Reason.HTTP_STATUS);
    assertThat(failure).hasMessage("the JWKS " + missing + " answered HTTP 404");
  }

  @Test
  void whenTheJwksUrlServesNoKeySetThenTheFailureSaysSo() {
    IssuerMetadataException failure =
        catchThrowableOfType(() -> client.fetchJwks(discoveryUrl()), IssuerMetadataException.class);

    assertThat(failure).isNotNull();
    assertThat(failure.reason()).isEqualTo(IssuerMetadataException.Reason.NOT_JSON);
    assertThat(failure).hasMessage("the JWKS at " + discoveryUrl() + " is not a JSON Web Key Set");
  }
}
