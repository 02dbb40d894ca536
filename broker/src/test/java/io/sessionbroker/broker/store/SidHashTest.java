package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The sid hash value codecs as pure functions; {@link SidHashLuaRoundTripTest} ties them to Lua.
 */
class SidHashTest {

  private static final long CREATED = 1_764_000_000_123L;
  private static final long EXPIRES = 1_764_003_600_456L;
  private static final long REVOKED = 1_764_000_100_789L;

  @Test
  void aRegistrationFromAnIdTokenHasThreeBase36TimesAndTheSidsUser() {
    SidHash.Registration registration = new SidHash.Registration(CREATED, EXPIRES, 0, null);

    String value = registration.format();

    assertThat(value)
        .isEqualTo(Long.toString(CREATED, 36) + "," + Long.toString(EXPIRES, 36) + ",0");
    assertThat(SidHash.Registration.parse(value)).isEqualTo(registration);
    assertThat(registration.revoked()).isFalse();
    assertThat(registration.user("verified-user")).isEqualTo("verified-user");
  }

  @Test
  void aClaimedUserFollowsTheTimesAndMayHoldTheSeparator() {
    SidHash.Registration claimed = new SidHash.Registration(CREATED, EXPIRES, REVOKED, "a,b");

    String value = claimed.format();

    assertThat(value).endsWith("," + Long.toString(REVOKED, 36) + ",a,b");
    assertThat(SidHash.Registration.parse(value)).isEqualTo(claimed);
    assertThat(claimed.revoked()).isTrue();
    assertThat(claimed.user("verified-user")).isEqualTo("a,b");
  }

  @Test
  void anEmptyClaimIsNoUserNotTheSidsUser() {
    SidHash.Registration registration =
        SidHash.Registration.parse(new SidHash.Registration(CREATED, EXPIRES, 0, "").format());

    assertThat(registration.claimedSub()).isEmpty();
    assertThat(registration.user("verified-user")).isNull();
  }

  @Test
  void aTombstoneIsThreeDecimalsAndAnOldOneNumberTombstoneIsAReceiptTime() {
    SidHash.Tombstone tombstone = new SidHash.Tombstone(REVOKED, 1_764_000_100L, 2);

    assertThat(tombstone.format()).isEqualTo(REVOKED + ",1764000100,2");
    assertThat(SidHash.Tombstone.parse(tombstone.format())).isEqualTo(tombstone);
    assertThat(SidHash.Tombstone.parse(REVOKED + ",1764000100"))
        .isEqualTo(new SidHash.Tombstone(REVOKED, 1_764_000_100L, 0));
    assertThat(SidHash.Tombstone.parse(Long.toString(REVOKED)))
        .isEqualTo(new SidHash.Tombstone(REVOKED, REVOKED / 1000, 0));
  }

  @Test
  void valuesOfAnotherShapeAreRefused() {
    assertThatThrownBy(() -> SidHash.Registration.parse("abc,def"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SidHash.Registration.parse("abc,de-f,0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SidHash.Tombstone.parse("1,2,3,4"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SidHash.Tombstone.parse("1,x,3"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SidHash.Tombstone.parse(""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fieldsSplitAtTheSeparatorAndTheBrokersOwnAreReserved() {
    String field = SidHash.registrationField("app1", "S-1");

    assertThat(field).isEqualTo("app1\u001fS-1");
    assertThat(SidHash.clientOfField(field)).isEqualTo("app1");
    assertThat(SidHash.sessionOfField(field)).isEqualTo("S-1");
    assertThat(SidHash.isRegistrationField(field)).isTrue();
    assertThat(SidHash.isRegistrationField(SidHash.SUB_FIELD)).isFalse();
    assertThat(SidHash.isRegistrationField(SidHash.clientTombstoneField("app1"))).isFalse();
  }

  @Test
  void theLuaHeaderEscapesControlCharactersInThreeDigits() {
    assertThat(SidHash.luaString("\u001f1")).isEqualTo("'\\0311'");
    assertThat(SidHash.luaString("it's")).isEqualTo("'it\\039s'");
    assertThat(SidHash.luaHeader())
        .contains("local SEP = '\\031'\n")
        .contains("local VALUE_SEP_PATTERN = '%,'\n")
        .contains("local TIME_RADIX = 36\n");
  }
}
