package io.sessionbroker.broker.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionbroker.testsupport.TestIssuer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How {@link IssuerKeys} judges an issuer's discovery document before it reads the keys. */
class IssuerKeysDiscoveryTest {

  private TestIssuer issuer;

  @BeforeEach
  void startIssuer() {
    issuer = TestIssuer.start("keys");
  }

  @AfterEach
  void stopIssuer() {
    issuer.close();
  }

  private IssuerKeys keysOf(String configuredUrl) {
    return new IssuerKeys(
        new Issuer("keys", configuredUrl, List.of()),
        Optional.empty(),
        Duration.ofMinutes(10),
        Duration.ZERO,
        Duration.ofSeconds(30),
        10);
  }

  @Test
  void whenDiscoveryNamesTheConfiguredIssuerThenTheKeysLoad() {
    IssuerKeys keys = keysOf(issuer.url());

    assertThat(keys.load()).as(keys.lastError()).isTrue();
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void whenTheConfiguredIssuerDiffersByATrailingSlashThenTheKeysDoNotLoad() {
    IssuerKeys keys = keysOf(issuer.url() + "/");

    assertThat(keys.load()).isFalse();
    assertThat(keys.lastError())
        .contains("names issuer '" + issuer.url() + "', not the configured '" + issuer.url() + "/'")
        .contains("session-broker.issuers.keys.url");
    assertThat(issuer.jwksRequestCount()).isZero();
  }

  @Test
  void whenDiscoveryHasNoJwksUriThenTheErrorNamesTheDocument() throws Exception {
    Map<String, Object> document = issuer.discoveryDocument();
    document.remove("jwks_uri");
    issuer.answerDiscoveryWith(
        200, "application/json", new ObjectMapper().writeValueAsString(document));
    IssuerKeys keys = keysOf(issuer.url());

    assertThat(keys.load()).isFalse();
    assertThat(keys.lastError())
        .isEqualTo(
            "OpenID discovery "
                + issuer.url()
                + "/.well-known/openid-configuration has no jwks_uri");
  }

  @Test
  void whenDiscoveryFailsThenTheErrorNamesTheUrlAndTheStatus() {
    issuer.answerDiscoveryWith(503, "text/plain", "starting");
    IssuerKeys keys = keysOf(issuer.url());

    assertThat(keys.load()).isFalse();
    assertThat(keys.lastError())
        .isEqualTo(
            "OpenID discovery "
                + issuer.url()
                + "/.well-known/openid-configuration answered HTTP 503");
  }
}
