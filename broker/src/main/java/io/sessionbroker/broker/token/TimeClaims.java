package io.sessionbroker.broker.token;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import org.jose4j.jwt.JwtClaims;

/**
 * The one reader of a token's time claims ({@code exp}, {@code iat}, {@code nbf}): JSON numbers of
 * seconds since the epoch (RFC 7519 §2, NumericDate), every token validator's only way to read and
 * compare them.
 *
 * <p>A value is accepted from {@value #MIN_SECONDS} to {@value #MAX_SECONDS} seconds (the end of
 * the year 9999), fractions cut off. Anything else breaks the token's rules rather than the
 * broker's arithmetic: counted in milliseconds, a number of seconds above about 9.2e15 overflows a
 * {@code long} (jose4j's {@code NumericDate.getValueInMillis()} throws), and a very large integer
 * read with {@code longValue()} wraps into a plausible time. Within the range every sum and
 * difference of two values, or of a value and a clock-skew-sized {@link Duration}, fits a {@code
 * long}.
 */
public final class TimeClaims {

  /** Earliest accepted value, epoch seconds. */
  public static final long MIN_SECONDS = 0;

  /** Latest accepted value, epoch seconds (9999-12-31T23:59:59Z). */
  public static final long MAX_SECONDS = 253_402_300_799L;

  private static final BigDecimal MIN = BigDecimal.valueOf(MIN_SECONDS);
  private static final BigDecimal MAX_EXCLUSIVE = BigDecimal.valueOf(MAX_SECONDS + 1);

  private TimeClaims() {}

  /**
   * The claim in whole epoch seconds, or null when the token has no such claim.
   *
   * @param name the claim, e.g. {@code exp}; it starts the violation's text
   * @throws TokenRejectedException when the claim is not a JSON number or is out of the range
   */
  public static Long seconds(JwtClaims claims, String name) {
    Object value = claims.getClaimValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number)) {
      throw new TokenRejectedException(name + ": must be a number of seconds (NumericDate)");
    }
    BigDecimal exact = exact(number);
    if (exact == null || exact.compareTo(MIN) < 0 || exact.compareTo(MAX_EXCLUSIVE) >= 0) {
      throw new TokenRejectedException(
          name
              + ": must be a number of seconds from "
              + MIN_SECONDS
              + " to "
              + MAX_SECONDS
              + " (the year 9999)");
    }
    return exact.longValue();
  }

  /** Like {@link #seconds}, as an instant. */
  public static Instant instant(JwtClaims claims, String name) {
    Long seconds = seconds(claims, name);
    return seconds == null ? null : Instant.ofEpochSecond(seconds);
  }

  /** Whether a time of {@code seconds} is after {@code now} plus the allowed {@code skew}. */
  public static boolean isAfter(long seconds, Instant now, Duration skew) {
    return Instant.ofEpochSecond(seconds).isAfter(now.plus(skew));
  }

  /** Whether a time of {@code seconds} is before {@code now} minus {@code age} and {@code skew}. */
  public static boolean isBefore(long seconds, Instant now, Duration age, Duration skew) {
    return Instant.ofEpochSecond(seconds).isBefore(now.minus(age).minus(skew));
  }

  private static BigDecimal exact(Number number) {
    if (number instanceof Long
        || number instanceof Integer
        || number instanceof Short
        || number instanceof Byte) {
      return BigDecimal.valueOf(number.longValue());
    }
    if (number instanceof BigInteger big) {
      return new BigDecimal(big);
    }
    if (number instanceof BigDecimal decimal) {
      return decimal;
    }
    double value = number.doubleValue();
    return Double.isFinite(value) ? BigDecimal.valueOf(value) : null;
  }
}
