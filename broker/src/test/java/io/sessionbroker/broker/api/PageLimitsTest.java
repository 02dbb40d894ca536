package io.sessionbroker.broker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.core.Response.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code limit} query parameter: ASCII digits from 1 to the maximum, else a clear 400. */
class PageLimitsTest {

  private static int parse(String limit) {
    return PageLimits.parse(limit, 100, 1000);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" "})
  void whenNoLimitIsGivenThenTheDefaultApplies(String limit) {
    assertThat(parse(limit)).isEqualTo(100);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "5", "1000", "0005"})
  void whenTheLimitIsAsciiDigitsInRangeThenItIsTheValue(String limit) {
    assertThat(parse(limit)).isEqualTo(Integer.parseInt(limit));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\u0665", // ARABIC-INDIC DIGIT FIVE, which Integer.parseInt reads as 5
        "\u0967\u0966", // DEVANAGARI 10
        "\uff15", // FULLWIDTH DIGIT FIVE
        "+5",
        "-5",
        "0",
        "1001",
        "99999999999999999999",
        "5a",
        "5 ",
        "1e2"
      })
  void whenTheLimitIsNotAsciiDigitsInRangeThenItIsBadRequest(String limit) {
    assertThatThrownBy(() -> parse(limit))
        .isInstanceOfSatisfying(
            ApiRequestException.class,
            e -> {
              assertThat(e.status()).isEqualTo(Status.BAD_REQUEST);
              assertThat(e.code()).isEqualTo("invalid_request");
            })
        .hasMessage("limit must be a number between 1 and 1000");
  }
}
