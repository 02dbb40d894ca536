package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Key names of a user ({@link RedisKeys#userNotBefore}, {@link RedisKeys#userLogout}): a sub of the
 * narrow id rule keeps its name (data written before stays valid); any other sub is encoded so that
 * its key's hash tag is exactly {@code <alias>:<encoded sub>} and no two users share a key.
 */
class SubInKeyTest {

  private final RedisKeys keys = new RedisKeys("sb");

  @Test
  void aSubOfTheNarrowRuleKeepsItsKeyNames() {
    assertThat(keys.userNotBefore("acme", "3f8a1c2e-9b7d-4e21-a0c5-6d2f9e8b1a47"))
        .isEqualTo("sb:user-nbf:{acme:3f8a1c2e-9b7d-4e21-a0c5-6d2f9e8b1a47}");
    assertThat(keys.userLogout("acme", "f:comp:jdoe"))
        .isEqualTo("sb:user-logout:{acme:f:comp:jdoe}");
  }

  @Test
  void aSubWithBracesCannotEndTheHashTagEarly() {
    for (String sub : List.of("f:c:a}b", "f:c:{x}", "f:c:Jos\u00e9 {M\u00fcller}", "}")) {
      String key = keys.userNotBefore("acme", sub);

      assertThat(hashTag(key)).isEqualTo("acme:" + RedisKeys.subInKey(sub));
      assertThat(key).endsWith(hashTag(key) + "}");
      assertThat(key).matches("[\\x21-\\x7e]+");
    }
  }

  @Test
  void twoSubsNeverShareAKey() {
    List<String> subs =
        List.of(
            "a b",
            "a%20b", // narrow: as it is
            "!a%20b", // refused as a sub, but must not meet the encoded form of "a b" anyway
            "a{b}",
            "a%7Bb%7D",
            "caf\u00e9",
            "caf%C3%A9");
    assertThat(subs.stream().map(RedisKeys::subInKey).distinct()).hasSize(subs.size());
    assertThat(RedisKeys.subInKey("a b")).isEqualTo("!a%20b");
    assertThat(RedisKeys.subInKey("a%20b")).isEqualTo("a%20b");
  }

  /** What Redis Cluster hashes: between the first '{' and the next '}', when not empty. */
  private static String hashTag(String key) {
    int open = key.indexOf('{');
    int close = key.indexOf('}', open + 1);
    return key.substring(open + 1, close);
  }
}
