package io.sessionbroker.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one id rule: real Keycloak and framework ids pass; ids that break Redis keys do not. */
class IdRuleTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "3f8a1c2e-9b7d-4e21-a0c5-6d2f9e8b1a47", // Keycloak sid / sub
        "my-app",
        "app.example.com",
        "urn:foo:bar",
        "https://app.example.com/saml", // SAML-style client id
        "node01abcdefghijklmnop0123.node0", // Jetty servlet session id
        "9A4C37F1E2B8D5A0C6F3E9B7D1A2C4E6", // Tomcat servlet session id
        "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6", // Django session key
        "f:4b1c0a9e-2f6d-4c1e-9a3b-7d8e6f5a4b3c:jdoe", // Keycloak federated user id
        "service-account-app1",
        "a",
        "...",
        ".a",
        "a.."
      })
  void whenTheIdIsARealIdThenItPasses(String id) {
    assertThat(IdRule.isValid(id)).isTrue();
    assertThat(IdRule.require("id", id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "app{1}",
        "{app}",
        "app}",
        "a b",
        "tab\there",
        "line\nbreak",
        "unit\u001fseparator",
        "del\u007f",
        "caf\u00e9",
        "f:4b1c0a9e:jos\u00e9", // a sub may look like this (SubjectRule); no other id may
        "app-\ud83d\ude00",
        "a\u00a0b", // no-break space
        "!rev", // would name the sid hash's logout tombstone field
        "!sub"
      })
  void whenTheIdBreaksTheRuleThenItFailsWithoutEchoingIt(String id) {
    assertThat(IdRule.isValid(id)).isFalse();
    assertThatThrownBy(() -> IdRule.require("clientId", id))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageStartingWith("clientId: ")
        .hasMessageNotContaining(id.isEmpty() ? "\u0000" : id);
  }

  /**
   * Dot segments: as a path segment, {@code /admin/realms/r/sessions/..} names the realm, not a
   * session. (The message names them itself, so it is not checked for the id.)
   */
  @ParameterizedTest
  @ValueSource(strings = {".", ".."})
  void whenTheIdIsADotSegmentThenItFails(String id) {
    assertThat(IdRule.isValid(id)).isFalse();
    assertThatThrownBy(() -> IdRule.require("sid", id))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageStartingWith("sid: ");
  }

  @ParameterizedTest
  @ValueSource(ints = {IdRule.MAX_LENGTH + 1, 10_000})
  void whenTheIdIsTooLongThenItFails(int length) {
    assertThat(IdRule.isValid("x".repeat(length))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {IdRule.MAX_LENGTH})
  void whenTheIdIsExactlyTheLongestThenItPasses(int length) {
    assertThat(IdRule.isValid("x".repeat(length))).isTrue();
  }

  @org.junit.jupiter.api.Test
  void whenTheIdIsNullThenRequiredFailsAndOptionalPasses() {
    assertThat(IdRule.isValid(null)).isFalse();
    assertThatThrownBy(() -> IdRule.require("sid", null)).isInstanceOf(InvalidIdException.class);
    assertThat(IdRule.requireOptional("sub", null)).isNull();
  }
}
