package io.sessionbroker.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Java library's defaults are the shared ones in {@code test-vectors/client-defaults} (the
 * Python library's tests read the same file), so an app keeps its behaviour across libraries.
 */
class SessionBrokerOptionsDefaultsTest {

  private static final Path DEFAULTS =
      Path.of("..", "test-vectors", "client-defaults", "defaults.json");

  @Test
  void whenTheSharedDefaultsAreReadThenEveryOneIsTheJavaLibrarysDefault() throws IOException {
    JsonNode shared = new ObjectMapper().readTree(DEFAULTS.toFile());
    Map<String, Object> java = new LinkedHashMap<>();
    java.put("key_prefix", SessionBrokerOptions.DEFAULT_KEY_PREFIX);
    java.put(
        "revoked_set_max_entries", (long) SessionBrokerOptions.DEFAULT_REVOKED_SET_MAX_ENTRIES);
    java.put("revoked_entry_ttl_seconds", seconds(SessionBrokerOptions.DEFAULT_REVOKED_ENTRY_TTL));
    java.put("catch_up_batch_size", (long) SessionBrokerOptions.DEFAULT_CATCH_UP_BATCH_SIZE);
    java.put("start_from", name(SessionBrokerOptions.DEFAULT_START_FROM));
    java.put("pub_sub_mode", name(SessionBrokerOptions.DEFAULT_PUB_SUB_MODE));
    java.put("command_timeout_seconds", seconds(SessionBrokerOptions.DEFAULT_COMMAND_TIMEOUT));
    java.put(
        "max_reconnect_delay_seconds", seconds(SessionBrokerOptions.DEFAULT_MAX_RECONNECT_DELAY));
    java.put("start_timeout_seconds", seconds(SessionBrokerOptions.DEFAULT_START_TIMEOUT));
    java.put("clock_skew_seconds", seconds(SessionBrokerOptions.DEFAULT_CLOCK_SKEW));

    Map<String, Object> expected = new LinkedHashMap<>();
    shared
        .fields()
        .forEachRemaining(
            field ->
                expected.put(
                    field.getKey(),
                    field.getValue().isNumber()
                        ? (Object) field.getValue().asLong()
                        : field.getValue().asText()));

    assertThat(java).isEqualTo(expected);
  }

  private static long seconds(Duration duration) {
    return duration.toSeconds();
  }

  private static String name(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
