package io.sessionbroker.client.internal;

import java.time.Instant;
import java.util.Objects;

/**
 * A Redis stream id {@code <ms>-<seq>}, ordered numerically (as Redis orders them; a plain string
 * comparison would put {@code 9-0} after {@code 10-0}).
 */
public final class StreamId implements Comparable<StreamId> {

  /** The smallest possible id; every real entry is after it. */
  public static final StreamId ZERO = new StreamId(0, 0);

  private final long millis;
  private final long sequence;

  private StreamId(long millis, long sequence) {
    this.millis = millis;
    this.sequence = sequence;
  }

  /**
   * Parses {@code <ms>-<seq>} (or a bare {@code <ms>}, meaning sequence 0).
   *
   * @throws IllegalArgumentException when the text is not a stream id
   */
  public static StreamId parse(String text) {
    Objects.requireNonNull(text, "stream id");
    int dash = text.indexOf('-');
    try {
      long millis = Long.parseUnsignedLong(dash < 0 ? text : text.substring(0, dash));
      long sequence = dash < 0 ? 0 : Long.parseUnsignedLong(text.substring(dash + 1));
      return new StreamId(millis, sequence);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Not a Redis stream id: " + abbreviate(text), e);
    }
  }

  /** When Redis appended the entry (the id's millisecond part). */
  public Instant timestamp() {
    return Instant.ofEpochMilli(millis);
  }

  /** Whether this id comes strictly after {@code other}. */
  public boolean isAfter(StreamId other) {
    return compareTo(other) > 0;
  }

  @Override
  public int compareTo(StreamId other) {
    int byMillis = Long.compareUnsigned(millis, other.millis);
    return byMillis != 0 ? byMillis : Long.compareUnsigned(sequence, other.sequence);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StreamId id && id.millis == millis && id.sequence == sequence;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(millis) * 31 + Long.hashCode(sequence);
  }

  @Override
  public String toString() {
    return Long.toUnsignedString(millis) + "-" + Long.toUnsignedString(sequence);
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
