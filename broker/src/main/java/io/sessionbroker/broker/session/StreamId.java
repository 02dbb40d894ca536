package io.sessionbroker.broker.session;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Redis stream entry id, the id of an event (SPEC §3.3): {@code <milliseconds>-<sequence>}, two
 * unsigned 64-bit numbers in decimal. Held as two {@code long}s read unsigned.
 *
 * @param millis the first part, unsigned
 * @param sequence the second part, unsigned
 */
public record StreamId(long millis, long sequence) {

  private static final Pattern SHAPE = Pattern.compile("(\\d{1,20})-(\\d{1,20})");

  /**
   * The first id after {@code text}, where a read "after {@code text}" starts (inclusive), so no
   * caller has to add one to an id itself.
   *
   * @throws IllegalArgumentException when {@code text} is no stream id (shape, or a part beyond
   *     2^64-1), or is the largest id, after which no event can follow
   */
  public static StreamId firstAfter(String text) {
    return parse(text)
        .next()
        .orElseThrow(() -> new IllegalArgumentException("no stream id follows " + text));
  }

  /**
   * Parses {@code <ms>-<seq>}.
   *
   * @throws IllegalArgumentException when the shape is wrong or a part exceeds 2^64-1
   */
  public static StreamId parse(String text) {
    Matcher parts = SHAPE.matcher(text == null ? "" : text);
    if (!parts.matches()) {
      throw new IllegalArgumentException("not a stream id <ms>-<seq>: " + text);
    }
    // parseUnsignedLong refuses values beyond 2^64-1.
    return new StreamId(
        Long.parseUnsignedLong(parts.group(1)), Long.parseUnsignedLong(parts.group(2)));
  }

  /** The next larger id; empty for the largest one (2^64-1)-(2^64-1). */
  public Optional<StreamId> next() {
    if (sequence != -1L) {
      return Optional.of(new StreamId(millis, sequence + 1));
    }
    if (millis != -1L) {
      return Optional.of(new StreamId(millis + 1, 0));
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return Long.toUnsignedString(millis) + "-" + Long.toUnsignedString(sequence);
  }
}
