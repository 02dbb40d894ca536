package io.sessionbroker.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The objects one overlay renders to, with lookups the manifest tests share. */
record Manifests(String overlay, List<HasMetadata> objects) {

  /** Name of the broker's Deployment, Service, ServiceAccount and friends. */
  static final String BROKER = "session-broker";

  /** Name of the broker's container in its pod. */
  static final String BROKER_CONTAINER = "broker";

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

  /** The broker's Deployment. */
  Deployment brokerDeployment() {
    return named(Deployment.class, BROKER);
  }

  /** The broker's container. */
  Container brokerContainer() {
    List<Container> containers =
        brokerDeployment().getSpec().getTemplate().getSpec().getContainers().stream()
            .filter(c -> BROKER_CONTAINER.equals(c.getName()))
            .toList();
    assertThat(containers).as("%s overlay: container %s", overlay, BROKER_CONTAINER).hasSize(1);
    return containers.get(0);
  }

  /** Labels of the broker's pods. */
  Map<String, String> brokerPodLabels() {
    return brokerDeployment().getSpec().getTemplate().getMetadata().getLabels();
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
