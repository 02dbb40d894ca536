package io.sessionbroker.broker.deploy;

import static io.sessionbroker.broker.deploy.Manifests.BROKER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NetworkPolicy's required parameters and the opt-in exposure components, rendered the way an
 * operator's own kustomization uses them: the base plus a {@code session-broker-network} ConfigMap
 * of parameters plus components of {@code k8s/components/}.
 */
class NetworkExposureComponentsTest {

  private static final String KEYCLOAK_RANGE = "203.0.113.0/24";
  private static final String HOST = "broker.example.com";

  /** Every parameter any component reads. */
  private static final Map<String, String> ALL_PARAMETERS =
      Map.of(
          "keycloakNamespace", "identity",
          "keycloak", "sso",
          "ingressNamespace", "ingress-nginx",
          "ingressController", "ingress-nginx",
          "keycloakAddresses", KEYCLOAK_RANGE,
          "redisNamespace", "cache",
          "redis", "redis-sentinel",
          "brokerHost", HOST,
          "gatewayNamespace", "gateway",
          "gateway", "public");

  @Test
  void whenNoKeycloakComponentIsAddedThenThePolicyIsClearlyMarkedAsUnset() {
    NetworkPolicy policy =
        render("unset", ALL_PARAMETERS, List.of("redis-pods")).named(NetworkPolicy.class, BROKER);
    NetworkPolicyPeer keycloak = policy.getSpec().getIngress().get(0).getFrom().get(0);

    assertThat(keycloak.getNamespaceSelector().getMatchLabels())
        .containsValue("KEYCLOAK-SOURCE-NOT-SET");
    assertThat(keycloak.getPodSelector().getMatchLabels()).containsValue("KEYCLOAK-SOURCE-NOT-SET");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"keycloak-pods", "keycloak-operator", "redis-pods"})
  void whenAComponentsParameterIsMissingThenRenderingFailsNamingIt(String component) {
    Map<String, String> parameters = new LinkedHashMap<>(ALL_PARAMETERS);
    String missing = component.startsWith("redis") ? "redisNamespace" : "keycloakNamespace";
    parameters.remove(missing);

    String error =
        Kustomize.customFailure(
            "missing-" + component, kustomization(List.of(component)), files(parameters));

    assertThat(error).contains("data." + missing).contains("session-broker-network");
  }

  @Test
  void whenKeycloakViaIngressLacksItsAddressesThenRenderingFailsNamingThem() {
    Map<String, String> parameters = new LinkedHashMap<>(ALL_PARAMETERS);
    parameters.remove("keycloakAddresses");

    String error =
        Kustomize.customFailure(
            "missing-addresses",
            kustomization(List.of("keycloak-via-ingress", "redis-pods")),
            files(parameters));

    assertThat(error).contains("data.keycloakAddresses");
  }

  @Test
  void whenKeycloakPodsAreSelectedThenTheyAloneMayCallAndServeTheBroker() {
    NetworkPolicy policy =
        render("pods", ALL_PARAMETERS, List.of("keycloak-pods", "redis-pods"))
            .named(NetworkPolicy.class, BROKER);

    Map<String, String> expected = Map.of("app.kubernetes.io/name", "sso");
    assertThat(keycloakSource(policy).getPodSelector().getMatchLabels()).isEqualTo(expected);
    assertThat(namespaceOf(keycloakSource(policy))).isEqualTo("identity");
    NetworkPolicyPeer destination = keycloakEgress(policy).getTo().get(0);
    assertThat(destination.getPodSelector().getMatchLabels()).isEqualTo(expected);
    assertThat(namespaceOf(destination)).isEqualTo("identity");
    assertRedisIsTheOnlyRedisDestination(policy);
  }

  @Test
  void whenKeycloakOperatorRunsKeycloakThenItsInstanceLabelsAreSelected() {
    NetworkPolicy policy =
        render("operator", ALL_PARAMETERS, List.of("keycloak-operator", "redis-pods"))
            .named(NetworkPolicy.class, BROKER);

    // The labels the Keycloak Operator puts on the pods of Keycloak resource "sso".
    Map<String, String> expected =
        Map.of(
            "app", "keycloak",
            "app.kubernetes.io/managed-by", "keycloak-operator",
            "app.kubernetes.io/instance", "sso");
    assertThat(keycloakSource(policy).getPodSelector().getMatchLabels()).isEqualTo(expected);
    assertThat(namespaceOf(keycloakSource(policy))).isEqualTo("identity");
    assertThat(keycloakEgress(policy).getTo().get(0).getPodSelector().getMatchLabels())
        .isEqualTo(expected);
    assertThat(ports(keycloakEgress(policy).getPorts())).contains(8443);
  }

  @Test
  void whenKeycloakIsOutsideTheClusterThenTheIngressControllerMayCallAndKeysComeFromItsRange() {
    NetworkPolicy policy =
        render("via-ingress", ALL_PARAMETERS, List.of("keycloak-via-ingress", "redis-pods"))
            .named(NetworkPolicy.class, BROKER);

    assertThat(keycloakSource(policy).getPodSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/name", "ingress-nginx");
    assertThat(namespaceOf(keycloakSource(policy))).isEqualTo("ingress-nginx");
    NetworkPolicyEgressRule keycloak = keycloakEgress(policy);
    assertThat(keycloak.getTo())
        .singleElement()
        .satisfies(peer -> assertThat(peer.getIpBlock().getCidr()).isEqualTo(KEYCLOAK_RANGE));
    assertThat(ports(keycloak.getPorts())).containsExactly(443);
  }

  @Test
  void whenIngressComponentIsAddedThenKeycloakPathsAdmitOnlyKeycloaksRangeAndApiIsForApps() {
    Manifests manifests =
        render("ingress", ALL_PARAMETERS, List.of("keycloak-via-ingress", "redis-pods", "ingress"));
    Ingress keycloak = manifests.named(Ingress.class, "session-broker-keycloak");
    Ingress api = manifests.named(Ingress.class, "session-broker-api");

    assertThat(keycloak.getMetadata().getAnnotations())
        .containsEntry("nginx.ingress.kubernetes.io/whitelist-source-range", KEYCLOAK_RANGE);
    assertThat(paths(keycloak)).containsExactlyInAnyOrder("/backchannel-logout", "/keycloak/");
    assertThat(api.getMetadata().getAnnotations())
        .doesNotContainKey("nginx.ingress.kubernetes.io/whitelist-source-range");
    assertThat(paths(api)).containsExactly("/api/");
    for (Ingress ingress : List.of(keycloak, api)) {
      assertThat(ingress.getSpec().getRules()).singleElement().extracting("host").isEqualTo(HOST);
      assertThat(ingress.getSpec().getTls().get(0).getHosts()).containsExactly(HOST);
      assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths())
          .allSatisfy(
              path -> {
                assertThat(path.getBackend().getService().getName()).isEqualTo(BROKER);
                assertThat(path.getBackend().getService().getPort().getName()).isEqualTo("http");
              });
    }
  }

  @Test
  void whenGatewayComponentIsAddedThenKeycloakRouteIsLimitedToKeycloaksRangeAndApiIsForApps() {
    Manifests manifests =
        render(
            "gateway",
            ALL_PARAMETERS,
            List.of("keycloak-via-ingress", "redis-pods", "gateway-api"));
    JsonNode keycloak = manifests.tree("HTTPRoute", "session-broker-keycloak");
    JsonNode api = manifests.tree("HTTPRoute", "session-broker-api");
    JsonNode policy = manifests.tree("SecurityPolicy", "session-broker-keycloak");

    assertThat(routePaths(keycloak)).containsExactlyInAnyOrder("/backchannel-logout", "/keycloak/");
    assertThat(routePaths(api)).containsExactly("/api/");
    for (JsonNode route : List.of(keycloak, api)) {
      assertThat(route.at("/spec/hostnames/0").asText()).isEqualTo(HOST);
      assertThat(route.at("/spec/parentRefs/0/name").asText()).isEqualTo("public");
      assertThat(route.at("/spec/parentRefs/0/namespace").asText()).isEqualTo("gateway");
      assertThat(route.at("/spec/rules/0/backendRefs/0/name").asText()).isEqualTo(BROKER);
      assertThat(route.at("/spec/rules/0/backendRefs/0/port").asInt()).isEqualTo(80);
    }
    assertThat(policy.at("/spec/targetRefs/0/kind").asText()).isEqualTo("HTTPRoute");
    assertThat(policy.at("/spec/targetRefs/0/name").asText()).isEqualTo("session-broker-keycloak");
    assertThat(policy.at("/spec/authorization/defaultAction").asText()).isEqualTo("Deny");
    assertThat(policy.at("/spec/authorization/rules/0/action").asText()).isEqualTo("Allow");
    assertThat(policy.at("/spec/authorization/rules/0/principal/clientCIDRs").toString())
        .isEqualTo("[\"" + KEYCLOAK_RANGE + "\"]");
  }

  private static Manifests render(
      String name, Map<String, String> parameters, List<String> components) {
    return Kustomize.custom(name, kustomization(components), files(parameters));
  }

  private static String kustomization(List<String> components) {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                + "namespace: session-broker\nresources:\n  - ${k8s}/base\n"
                + "  - network-parameters.yaml\ncomponents:\n");
    components.forEach(c -> yaml.append("  - ${k8s}/components/").append(c).append('\n'));
    return yaml.toString();
  }

  private static Map<String, String> files(Map<String, String> parameters) {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: session-broker-network\n"
                + "  annotations:\n    config.kubernetes.io/local-config: \"true\"\ndata:\n");
    parameters.forEach(
        (key, value) -> yaml.append("  ").append(key).append(": \"").append(value).append("\"\n"));
    return Map.of("network-parameters.yaml", yaml.toString());
  }

  /** The peer of the ingress rule on the API port that is not the apps' rule. */
  private static NetworkPolicyPeer keycloakSource(NetworkPolicy policy) {
    return policy.getSpec().getIngress().stream()
        .filter(rule -> ports(rule.getPorts()).contains(8080))
        .flatMap(rule -> rule.getFrom().stream())
        .filter(
            peer -> !peer.getPodSelector().getMatchLabels().containsKey("sessionbroker.io/client"))
        .collect(
            Collectors.collectingAndThen(
                Collectors.toList(),
                peers -> {
                  assertThat(peers).as("the Keycloak source").hasSize(1);
                  return peers.get(0);
                }));
  }

  /** The egress rule that is neither DNS nor Redis. */
  private static NetworkPolicyEgressRule keycloakEgress(NetworkPolicy policy) {
    List<NetworkPolicyEgressRule> rules =
        policy.getSpec().getEgress().stream()
            .filter(rule -> !ports(rule.getPorts()).contains(53))
            .filter(rule -> !ports(rule.getPorts()).contains(6379))
            .toList();
    assertThat(rules).as("the Keycloak egress rule").hasSize(1);
    return rules.get(0);
  }

  private static void assertRedisIsTheOnlyRedisDestination(NetworkPolicy policy) {
    assertThat(policy.getSpec().getEgress())
        .filteredOn(rule -> ports(rule.getPorts()).contains(6379))
        .singleElement()
        .satisfies(
            rule ->
                assertThat(rule.getTo())
                    .singleElement()
                    .satisfies(
                        peer -> {
                          assertThat(namespaceOf(peer)).isEqualTo("cache");
                          assertThat(peer.getPodSelector().getMatchLabels())
                              .containsEntry("app.kubernetes.io/name", "redis-sentinel");
                        }));
  }

  private static String namespaceOf(NetworkPolicyPeer peer) {
    return peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
  }

  private static List<Integer> ports(List<NetworkPolicyPort> ports) {
    return ports.stream().map(port -> port.getPort().getIntVal()).toList();
  }

  private static List<String> paths(Ingress ingress) {
    return ingress.getSpec().getRules().get(0).getHttp().getPaths().stream()
        .map(HTTPIngressPath::getPath)
        .toList();
  }

  private static List<String> routePaths(JsonNode route) {
    return StreamSupport.stream(route.at("/spec/rules").spliterator(), false)
        .flatMap(rule -> StreamSupport.stream(rule.path("matches").spliterator(), false))
        .map(match -> match.at("/path/value").asText())
        .toList();
  }
}
