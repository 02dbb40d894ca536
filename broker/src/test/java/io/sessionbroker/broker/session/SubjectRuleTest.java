package io.sessionbroker.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The user id rule: every {@code sub} Keycloak can issue passes, also a user-storage id ({@code
 * f:<component id>:<external id>}) whose external id is a username with spaces, braces or letters
 * of any script; control characters, unpaired surrogates, a leading {@code !} and dot segments do
 * not. The bean-validation pattern agrees with the code.
 */
class SubjectRuleTest {

  private static final Pattern PATTERN = Pattern.compile(SubjectRule.PATTERN);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "3f8a1c2e-9b7d-4e21-a0c5-6d2f9e8b1a47", // Keycloak local user
        "f:4b1c0a9e-2f6d-4c1e-9a3b-7d8e6f5a4b3c:jdoe",
        "f:4b1c0a9e-2f6d-4c1e-9a3b-7d8e6f5a4b3c:jos\u00e9.m\u00fcller",
        "f:4b1c0a9e-2f6d-4c1e-9a3b-7d8e6f5a4b3c:Jos\u00e9 M\u00fcller",
        "f:comp:{braces}}{",
        "f:comp:a,b\u241fc", // the value separator and the field separator's look-alike
        "f:comp:\u5f20\u4f1f", // CJK
        "f:comp:\ud83d\ude00", // emoji: one code point, two UTF-16 units
        "f:comp:100%",
        "a",
        "...",
        "a!"
      })
  void whenTheSubIsOneKeycloakCanIssueThenItPasses(String sub) {
    assertThat(SubjectRule.isValid(sub)).isTrue();
    assertThat(PATTERN.matcher(sub).matches()).isTrue();
    assertThat(SubjectRule.require("sub", sub)).isEqualTo(sub);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".",
        "..",
        "!sub", // a stored form
        "!rev",
        "line\nbreak",
        "cr\rlf",
        "nul\u0000",
        "tab\there",
        "unit\u001fseparator",
        "del\u007f",
        "c1\u0085", // NEL
        "c1\u009f",
        "lone\ud800", // unpaired high surrogate
        "\udc00lone" // unpaired low surrogate
      })
  void whenTheSubBreaksTheRuleThenItFailsWithoutEchoingIt(String sub) {
    assertThat(SubjectRule.isValid(sub)).isFalse();
    assertThat(PATTERN.matcher(sub).matches()).isFalse();
    assertThatThrownBy(() -> SubjectRule.require("sub", sub))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageStartingWith("sub: ")
        .hasMessageNotContaining(sub.length() < 3 ? "\u0000" : sub);
  }

  @Test
  void theLengthIsCountedInCodePointsUpToTheLimit() {
    String longest = "f:" + "\ud83d\ude00".repeat(SubjectRule.MAX_LENGTH - 2);
    String tooLong = longest + "x";

    assertThat(SubjectRule.isValid(longest)).isTrue();
    assertThat(PATTERN.matcher(longest).matches()).isTrue();
    assertThat(SubjectRule.isValid(tooLong)).isFalse();
    assertThat(PATTERN.matcher(tooLong).matches()).isFalse();
    assertThat(SubjectRule.isValid("x".repeat(SubjectRule.MAX_LENGTH + 1))).isFalse();
    // Keycloak's longest: a 255-character username behind the user-storage prefix.
    assertThat(SubjectRule.isValid("f:" + "0".repeat(36) + ":" + "\u00e9".repeat(255))).isTrue();
  }

  @Test
  void whenTheSubIsNullThenRequiredFailsAndOptionalPasses() {
    assertThat(SubjectRule.isValid(null)).isFalse();
    assertThatThrownBy(() -> SubjectRule.require("sub", null))
        .isInstanceOf(InvalidIdException.class);
    assertThat(SubjectRule.requireOptional("sub", null)).isNull();
  }

  @Test
  void percentEncodingKeepsVisibleAsciiAndEncodesTheRestAsUtf8() {
    assertThat(SubjectRule.percentEncode("3f8a1c2e-9b7d-4e21-a0c5-6d2f9e8b1a47", ""))
        .isEqualTo("3f8a1c2e-9b7d-4e21-a0c5-6d2f9e8b1a47");
    assertThat(SubjectRule.percentEncode("f:c:jos\u00e9 m{x}", ""))
        .isEqualTo("f:c:jos%C3%A9%20m{x}");
    assertThat(SubjectRule.percentEncode("f:c:jos\u00e9 m{x}", "{}"))
        .isEqualTo("f:c:jos%C3%A9%20m%7Bx%7D");
    assertThat(SubjectRule.percentEncode("100%", "")).isEqualTo("100%25");
    assertThat(SubjectRule.percentEncode("\ud83d\ude00", "")).isEqualTo("%F0%9F%98%80");
  }

  @ParameterizedTest
  @ValueSource(strings = {"f:c:Jos\u00e9 {M\u00fcller}", "a%20b", "a b", "+\u241f\ud83d\ude00"})
  void percentEncodingIsUndoneByAnyPercentDecoder(String sub) {
    String encoded = SubjectRule.percentEncode(sub, "{}");

    assertThat(encoded).matches("[\\x21-\\x7e]+").doesNotContain("{", "}");
    // URLDecoder also reads '+' as a space, so decode the literal '+' first.
    assertThat(URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8))
        .isEqualTo(sub);
  }
}
