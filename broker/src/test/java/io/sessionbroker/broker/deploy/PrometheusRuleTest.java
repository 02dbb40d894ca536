package io.sessionbroker.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;

/**
 * The alerts of {@code k8s/components/monitoring} under Prometheus' own {@code promtool}: valid
 * rules, and scenarios of real pods' series ({@code deploy/prometheusrule-tests.yaml}) in which
 * each alert fires exactly when it should. Among them the one a plain {@code journaled > 0} alert
 * gets wrong: a pod deleted with a non-empty journal stops reporting, and the alert must not clear
 * until a pod of the same ordinal reports the journal replayed.
 */
class PrometheusRuleTest {

  private static final Path WORK = Path.of("target", "prometheusrule").toAbsolutePath();

  @Test
  void whenRulesAreCheckedThenPromtoolAcceptsEveryRuleAndItsTemplates() {
    Promtool.writeRuleFile(WORK.resolve("rules-full.yaml"), true);

    String output = Promtool.run(WORK, "check", "rules", "rules-full.yaml");

    assertThat(output).contains("SUCCESS").contains("10 rules found");
  }

  @Test
  void whenAlertScenariosRunThenEachAlertFiresExactlyWhenItShould() throws IOException {
    Promtool.writeRuleFile(WORK.resolve("rules.yaml"), false);
    try (InputStream tests = getClass().getResourceAsStream("/deploy/prometheusrule-tests.yaml")) {
      assertThat(tests).as("deploy/prometheusrule-tests.yaml on the test classpath").isNotNull();
      Files.copy(tests, WORK.resolve("tests.yaml"), StandardCopyOption.REPLACE_EXISTING);
    }

    String output = Promtool.run(WORK, "test", "rules", "tests.yaml");

    assertThat(output).contains("SUCCESS");
  }
}
