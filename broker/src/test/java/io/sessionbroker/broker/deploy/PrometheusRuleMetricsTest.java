package io.sessionbroker.broker.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.io.IOException;
import java.io.Reader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The alerts of {@code k8s/components/monitoring} query what this broker exports: every broker
 * metric and label value they name appears on its {@code /q/metrics} after a sign-in and a logout
 * (or, for counters of rarer events, is registered by broker/src/main under that name), and the
 * PodMonitor scrapes the port and path where the broker serves them.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class PrometheusRuleMetricsTest {

  /** Metric names in a PromQL expression that the broker (not kube-state-metrics) exports. */
  private static final Pattern BROKER_METRIC =
      Pattern.compile("\\b((?:sessionbroker|http_server)_[a-z_]+)\\b");

  /** Micrometer meter names in broker/src/main: counters get _total, gauges keep their name. */
  private static final Pattern REGISTERED_METER =
      Pattern.compile(
          "(counter|gauge|Counter\\.builder|Gauge\\.builder)\\(\\s*\"(sessionbroker\\.[a-z.-]+)\"");

  /**
   * The dead letters of SPEC §5 ("counted in a metric"): the gauge of the dead-letter file's lines,
   * registered by the outbox's dead-letter handling as {@code
   * sessionbroker.outbox.dead.letters.stored}, which is developed apart from these manifests.
   * Remove this allowance once broker/src/main registers it.
   */
  @InjectTestIssuer TestIssuer issuer;

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @Test
  void whenAlertsNameBrokerMetricsThenTheBrokerExportsThem() throws IOException {
    signInAndOut();
    String scraped = given().when().get(metrics).then().statusCode(200).extract().asString();
    Set<String> exported = new TreeSet<>(registeredMeters());
    scraped
        .lines()
        .filter(line -> !line.startsWith("#") && !line.isBlank())
        .map(line -> line.split("[{ ]", 2)[0])
        .forEach(exported::add);

    Set<String> named = new TreeSet<>();
    for (JsonNode group : Promtool.renderedRule().at("/spec/groups")) {
      for (JsonNode rule : group.get("rules")) {
        Matcher matcher = BROKER_METRIC.matcher(rule.get("expr").asText());
        while (matcher.find()) {
          named.add(matcher.group(1));
        }
      }
    }

    assertThat(named).as("broker metrics the alerts query").isNotEmpty();
    Set<String> missing = new TreeSet<>(named);
    missing.removeAll(exported);
    assertThat(missing).as("metrics the alert rules name but the broker does not serve").isEmpty();
    assertThat(scraped)
        .as("the back-channel requests the logout alerts count, by their uri label")
        .containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/backchannel-logout\"");
    assertThat(scraped)
        .containsPattern("sessionbroker_logout_tokens_total\\{[^}]*outcome=\"rejected\"");
  }

  @Test
  void whenPodMonitorScrapesThenItUsesThePortAndPathWhereTheBrokerServesMetrics()
      throws IOException {
    JsonNode endpoint =
        Kustomize.overlay("prod+monitoring")
            .tree("PodMonitor", Manifests.BROKER)
            .at("/spec/podMetricsEndpoints/0");
    Manifests prod = Kustomize.overlay("prod+monitoring");
    int managementPort = productionManagementPort();

    assertThat(prod.brokerContainer().getPorts())
        .anySatisfy(
            port -> {
              assertThat(port.getName()).isEqualTo(endpoint.path("port").asText());
              assertThat(port.getContainerPort()).isEqualTo(managementPort);
            });
    assertThat(endpoint.path("path").asText()).isEqualTo(metrics.getPath());
    given().when().get(metrics).then().statusCode(200);
  }

  private void signInAndOut() {
    String sid = "sid-" + UUID.randomUUID();
    given()
        .auth()
        .oauth2(issuer.accessToken("app1"))
        .contentType(ContentType.JSON)
        .body(Map.of("sessionId", "S-" + UUID.randomUUID(), "sid", sid))
        .when()
        .post("/api/v1/sessions")
        .then()
        .statusCode(201);
    given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", issuer.logoutToken("app1", sid, "user-1"))
        .when()
        .post("/backchannel-logout")
        .then()
        .statusCode(200);
    given()
        .contentType(ContentType.URLENC)
        .formParam("logout_token", "not-a-token")
        .when()
        .post("/backchannel-logout")
        .then()
        .statusCode(400);
  }

  /** {@code quarkus.management.port} of the packaged broker (tests run on a random one). */
  private static int productionManagementPort() throws IOException {
    Properties properties = new Properties();
    try (Reader in =
        Files.newBufferedReader(
            Kustomize.repositoryRoot()
                .resolve("broker/src/main/resources/application.properties"))) {
      properties.load(in);
    }
    return Integer.parseInt(properties.getProperty("quarkus.management.port"));
  }

  private static Set<String> registeredMeters() throws IOException {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files =
        Files.walk(Kustomize.repositoryRoot().resolve("broker/src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher matcher = REGISTERED_METER.matcher(Files.readString(file));
        while (matcher.find()) {
          String name = matcher.group(2).replaceAll("[.-]", "_");
          names.add(matcher.group(1).toLowerCase().startsWith("counter") ? name + "_total" : name);
        }
      }
    }
    return names;
  }
}
