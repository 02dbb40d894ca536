package io.sessionbroker.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The PrometheusRule of {@code k8s/components/monitoring}, as rendered by kustomize, and
 * Prometheus' own {@code promtool} to check and unit-test it.
 */
final class Promtool {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Promtool() {}

  /** The rendered PrometheusRule of the monitoring component on the prod overlay. */
  static JsonNode renderedRule() {
    return Kustomize.overlay("prod+monitoring").tree("PrometheusRule", Manifests.BROKER);
  }

  /**
   * Writes the rule's groups as a Prometheus rule file ({@code {"groups": [...]}}; JSON is YAML) to
   * {@code file}, without the alerts' annotations: unit tests compare labels, not prose.
   */
  static Path writeRuleFile(Path file, boolean withAnnotations) {
    ObjectNode groups = JSON.createObjectNode();
    groups.set("groups", renderedRule().at("/spec/groups").deepCopy());
    if (!withAnnotations) {
      groups
          .get("groups")
          .forEach(
              group ->
                  group.get("rules").forEach(rule -> ((ObjectNode) rule).remove("annotations")));
    }
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(groups));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Runs promtool in {@code dir}; returns its output after asserting exit code 0. */
  static String run(Path dir, String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(executable().toString());
    command.addAll(List.of(arguments));
    try {
      Process process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("promtool finished").isTrue();
      assertThat(process.exitValue()).as("%s:%n%s", String.join(" ", command), output).isZero();
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running promtool", e);
    }
  }

  private static Path executable() {
    return Stream.concat(
            Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry, "promtool")),
            Stream.of(Path.of("/usr/bin/promtool")))
        .filter(Files::isExecutable)
        .findFirst()
        .orElseGet(
            () ->
                fail(
                    "promtool is not installed, so the PrometheusRule cannot be checked. Install it"
                        + " (Debian: `apt-get install prometheus`; .ci/run does this on CI) and run"
                        + " the tests again."));
  }
}
