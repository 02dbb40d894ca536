package io.sessionbroker.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Stream ids are two unsigned 64-bit numbers; the id after one never overflows. */
class StreamIdTest {

  @ParameterizedTest
  @CsvSource({
    "1764000000000-0, 1764000000000-1",
    "0-0, 0-1",
    "5-18446744073709551615, 6-0",
    "18446744073709551615-18446744073709551614, 18446744073709551615-18446744073709551615"
  })
  void whenAnIdHasASuccessorThenFirstAfterIsIt(String id, String expected) {
    assertThat(StreamId.firstAfter(id)).hasToString(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "99999999999999999999-0",
        "18446744073709551616-0",
        "0-18446744073709551616",
        "18446744073709551615-18446744073709551615",
        "1-",
        "-1",
        "1",
        "1-2-3",
        "+1-0",
        "１-0"
      })
  void whenTheIdIsOutOfRangeMalformedOrTheLargestThenFirstAfterRefusesIt(String id) {
    assertThatThrownBy(() -> StreamId.firstAfter(id)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void whenTheIdIsTheLargestThenItParsesButHasNoNext() {
    StreamId largest = StreamId.parse("18446744073709551615-18446744073709551615");
    assertThat(largest).hasToString("18446744073709551615-18446744073709551615");
    assertThat(largest.next()).isEmpty();
  }
}
