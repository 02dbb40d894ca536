package io.sessionbroker.broker.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/** {@link TimeClaims}: the one reader of exp/iat/nbf, safe from overflow and wrap-around. */
class TimeClaimsTest {

  private static JwtClaims with(Object exp) {
    JwtClaims claims = new JwtClaims();
    claims.setClaim("exp", exp);
    return claims;
  }

  @Test
  void readsWholeAndFractionalSeconds() {
    assertThat(TimeClaims.seconds(with(1_700_000_000L), "exp")).isEqualTo(1_700_000_000L);
    assertThat(TimeClaims.seconds(with(1_700_000_000.9d), "exp")).isEqualTo(1_700_000_000L);
    assertThat(TimeClaims.seconds(with(TimeClaims.MAX_SECONDS), "exp"))
        .isEqualTo(TimeClaims.MAX_SECONDS);
    assertThat(TimeClaims.seconds(new JwtClaims(), "exp")).isNull();
  }

  @Test
  void refusesValuesOutsideTheRangeInsteadOfOverflowingOrWrapping() {
    // 2^64 + 1.7e9 would read as a plausible time with longValue().
    BigInteger wraps = BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(1_700_000_000L));
    for (Object bad :
        new Object[] {
          10_000_000_000_000_000L,
          Long.MAX_VALUE,
          -1L,
          wraps,
          new BigDecimal("1e400"),
          1e300d,
          Double.NaN,
          Double.POSITIVE_INFINITY,
          TimeClaims.MAX_SECONDS + 1
        }) {
      assertThatThrownBy(() -> TimeClaims.seconds(with(bad), "exp"))
          .as("exp %s", bad)
          .isInstanceOf(TokenRejectedException.class)
          .hasMessageStartingWith("exp: ");
    }
  }

  @Test
  void refusesANonNumber() {
    assertThatThrownBy(() -> TimeClaims.seconds(with("1700000000"), "exp"))
        .isInstanceOf(TokenRejectedException.class)
        .hasMessageStartingWith("exp: must be a number");
  }

  @Test
  void comparesWithSkewAndAge() {
    Instant now = Instant.ofEpochSecond(1_000_000);
    Duration skew = Duration.ofSeconds(30);
    assertThat(TimeClaims.isAfter(1_000_030, now, skew)).isFalse();
    assertThat(TimeClaims.isAfter(1_000_031, now, skew)).isTrue();
    assertThat(TimeClaims.isBefore(999_970, now, Duration.ZERO, skew)).isFalse();
    assertThat(TimeClaims.isBefore(999_969, now, Duration.ZERO, skew)).isTrue();
    assertThat(TimeClaims.isBefore(TimeClaims.MAX_SECONDS, now, Duration.ofDays(1), skew))
        .isFalse();
  }
}
