package io.sessionbroker.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class StreamIdTest {

  @Test
  void whenComparedThenOrderIsNumericNotTextual() {
    assertThat(StreamId.parse("10-0").isAfter(StreamId.parse("9-0"))).isTrue();
    assertThat(StreamId.parse("5-10").isAfter(StreamId.parse("5-9"))).isTrue();
    assertThat(StreamId.parse("5-0").isAfter(StreamId.parse("5-0"))).isFalse();
    assertThat(StreamId.parse("1764000000000-0").compareTo(StreamId.parse("1764000000000-0")))
        .isZero();
  }

  @Test
  void whenIdIsBareMillisThenSequenceIsZero() {
    assertThat(StreamId.parse("42")).isEqualTo(StreamId.parse("42-0"));
  }

  @Test
  void whenParsedThenTimestampAndTextRoundTrip() {
    StreamId id = StreamId.parse("1764000000000-7");

    assertThat(id.toString()).isEqualTo("1764000000000-7");
    assertThat(id.timestamp()).isEqualTo(Instant.ofEpochMilli(1764000000000L));
  }

  @Test
  void whenTextIsNotAnIdThenParseFails() {
    assertThatThrownBy(() -> StreamId.parse("abc-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamId.parse("1-")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamId.parse("-1")).isInstanceOf(IllegalArgumentException.class);
  }
}
