package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IndexEncodingTest {

  private static final String SID = "3f2a9c1e-7b4d-4e8a-9c21-0d5e6f7a8b9c";
  private static final String SUB = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
  private static final long EXPIRES = 1_764_000_000_123L;

  @Test
  void aCanonicalUuidIsStoredInTwentyThreeCharactersAndReadBack() {
    String stored = IndexEncoding.compactId(SID);

    assertThat(stored).hasSize(23).startsWith("!");
    assertThat(IndexEncoding.expandId(stored)).isEqualTo(SID);
  }

  @Test
  void anIdThatIsNotACanonicalUuidIsStoredAsItIs() {
    for (String id :
        new String[] {
          "3F2A9C1E-7B4D-4E8A-9C21-0D5E6F7A8B9C", // upper case would not come back the same
          "3f2a9c1e7b4d4e8a9c210d5e6f7a8b9c",
          "3f2a9c1e-7b4d-4e8a-9c21-0d5e6f7a8b9",
          "3f2a9c1e-7b4d-4e8a-9c21_0d5e6f7a8b9c",
          "node01abc.node0",
          "x"
        }) {
      assertThat(IndexEncoding.compactId(id)).isEqualTo(id);
      assertThat(IndexEncoding.expandId(id)).isEqualTo(id);
    }
  }

  @Test
  void clientIndexValuesRoundTrip() {
    String value = IndexEncoding.clientIndexValue(EXPIRES, SID);

    assertThat(value).isEqualTo(RedisKeys.encodeTime(EXPIRES) + IndexEncoding.compactId(SID));
    assertThat(IndexEncoding.sidOfClientIndexValue(value)).isEqualTo(SID);
    assertThat(IndexEncoding.expiryOfValue(value)).isEqualTo(EXPIRES);
    String plain = IndexEncoding.clientIndexValue(EXPIRES, "sid-1!x");
    assertThat(plain).isEqualTo(RedisKeys.encodeTime(EXPIRES) + ",sid-1!x");
    assertThat(IndexEncoding.sidOfClientIndexValue(plain)).isEqualTo("sid-1!x");
  }

  @Test
  void userIndexEntriesKeepTheSidAndADigestOfTheSub() {
    String field = IndexEncoding.userIndexField(SID);
    String value = IndexEncoding.userIndexValue(EXPIRES, SUB);

    assertThat(field).hasSize(23);
    assertThat(IndexEncoding.sidOfUserIndexField(field)).isEqualTo(SID);
    assertThat(value)
        .isEqualTo(RedisKeys.encodeTime(EXPIRES) + "#" + IndexEncoding.subFingerprint(SUB))
        .hasSizeLessThanOrEqualTo(16);
    assertThat(IndexEncoding.expiryOfValue(value)).isEqualTo(EXPIRES);
    assertThat(IndexEncoding.mayBeEntryOf(value, SUB)).isTrue();
    assertThat(IndexEncoding.mayBeEntryOf(value, SID)).isFalse();
    assertThat(IndexEncoding.mayBeEntryOf(IndexEncoding.userIndexValue(EXPIRES, "bob"), "bob"))
        .isTrue();
  }

  @Test
  void subFingerprintsAreStableAndSpread() {
    // Fixed across versions and replicas: entries written by one broker are read by all.
    assertThat(IndexEncoding.subFingerprint(SUB)).isEqualTo(IndexEncoding.subFingerprint(SUB));
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      seen.add(IndexEncoding.subFingerprint("user-" + i));
    }
    assertThat(seen).hasSize(100_000);
  }

  @Test
  void entriesWrittenBeforeThisEncodingReadTheSame() {
    String plainClientValue = RedisKeys.encodeTime(EXPIRES) + "," + SID;
    String plainUserValue = RedisKeys.encodeTime(EXPIRES) + "," + SUB;

    assertThat(IndexEncoding.sidOfClientIndexValue(plainClientValue)).isEqualTo(SID);
    assertThat(IndexEncoding.expiryOfValue(plainClientValue)).isEqualTo(EXPIRES);
    assertThat(IndexEncoding.sidOfUserIndexField(SID)).isEqualTo(SID);
    assertThat(IndexEncoding.mayBeEntryOf(plainUserValue, SUB)).isTrue();
    assertThat(IndexEncoding.mayBeEntryOf(plainUserValue, SID)).isFalse();
    assertThat(IndexEncoding.expiryOfValue(plainUserValue)).isEqualTo(EXPIRES);
  }

  @Test
  void aValueThatIsNoIndexValueReadsAsNone() {
    assertThat(IndexEncoding.sidOfClientIndexValue("nocomma")).isNull();
    assertThat(IndexEncoding.sidOfClientIndexValue("lz3k0a2b,")).isNull();
    assertThat(IndexEncoding.sidOfClientIndexValue("lz3k0a2b#abc")).isNull();
    assertThat(IndexEncoding.mayBeEntryOf("lz3k0a2b", "x")).isFalse();
    assertThat(IndexEncoding.expiryOfValue("no-comma")).isEqualTo(-1);
    assertThat(IndexEncoding.expiryOfValue(",x")).isEqualTo(-1);
    assertThat(IndexEncoding.expiryOfValue("zzzzzzzzzzzzzzzzzzzz,x")).isEqualTo(-1);
  }

  @Test
  void aCompactIdOfTheWrongLengthIsRefused() {
    assertThatThrownBy(() -> IndexEncoding.expandId("!AAAA"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
