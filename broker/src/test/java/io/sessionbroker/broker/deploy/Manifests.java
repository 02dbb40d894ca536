package io.sessionbroker.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The objects one overlay renders to, with lookups the manifest tests share. */
record Manifests(String overlay, List<HasMetadata> objects) {

  /** Name of the broker's StatefulSet, Service, ServiceAccount and friends. */
  static final String BROKER = "session-broker";

  /** Name of the broker's container in its pod. */
  static final String BROKER_CONTAINER = "broker";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Every object of a kind, by its {@code kind} field, as a JSON tree: for resources the fabric8
   * model has no class for (PrometheusRule, HTTPRoute, Certificate, ...).
   */
  List<JsonNode> trees(String kind) {
    return objects.stream()
        .filter(o -> kind.equals(o.getKind()))
        .map(o -> (JsonNode) JSON.valueToTree(o))
        .toList();
  }

  /** The one object of a kind and name as a JSON tree; fails the test when it is missing. */
  JsonNode tree(String kind, String name) {
    List<JsonNode> matches =
        trees(kind).stream()
            .filter(o -> name.equals(o.path("metadata").path("name").asText()))
            .toList();
    assertThat(matches).as("%s: %s %s", overlay, kind, name).hasSize(1);
    return matches.get(0);
  }

  /** Every object of one kind. */
  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The one object of a kind and name; fails the test when it is missing. */
  <T extends HasMetadata> T named(Class<T> type, String name) {
    List<T> matches =
        all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
    assertThat(matches).as("%s overlay: %s %s", overlay, type.getSimpleName(), name).hasSize(1);
    return matches.get(0);
  }

  /** The broker's StatefulSet. */
  StatefulSet brokerStatefulSet() {
    return named(StatefulSet.class, BROKER);
  }

  /** The broker's pod spec. */
  PodSpec brokerPod() {
    return brokerStatefulSet().getSpec().getTemplate().getSpec();
  }

  /** The broker's container. */
  Container brokerContainer() {
    List<Container> containers =
        brokerPod().getContainers().stream()
            .filter(c -> BROKER_CONTAINER.equals(c.getName()))
            .toList();
    assertThat(containers).as("%s overlay: container %s", overlay, BROKER_CONTAINER).hasSize(1);
    return containers.get(0);
  }

  /** Labels of the broker's pods. */
  Map<String, String> brokerPodLabels() {
    return brokerStatefulSet().getSpec().getTemplate().getMetadata().getLabels();
  }

  /** The data of every ConfigMap the broker container imports with envFrom, merged in order. */
  Map<String, String> brokerConfigMapEnvironment() {
    Map<String, String> environment = new LinkedHashMap<>();
    for (EnvFromSource source : brokerContainer().getEnvFrom()) {
      if (source.getConfigMapRef() != null) {
        environment.putAll(named(ConfigMap.class, source.getConfigMapRef().getName()).getData());
      }
    }
    return environment;
  }

  /** Whether {@code selector} selects pods carrying {@code labels}. */
  static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null
        && !selector.isEmpty()
        && labels.entrySet().containsAll(selector.entrySet());
  }
}
