package io.sessionbroker.broker.deploy;

import static io.sessionbroker.broker.deploy.Manifests.BROKER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The opt-in component {@code k8s/components/tls-to-pod}: cert-manager issues the pod's certificate
 * into a Secret, the broker serves HTTPS from exactly those files and nothing in plain HTTP, and
 * the Service and NetworkPolicy follow to the HTTPS port.
 */
class TlsToPodComponentTest {

  private static final String VARIANT = "prod+tls-to-pod";

  @Test
  void whenComponentIsAddedThenBrokerServesTheCertificateThatCertManagerIssues() {
    Manifests manifests = Kustomize.overlay(VARIANT);
    Container broker = manifests.brokerContainer();
    Map<String, String> env =
        broker.getEnv().stream()
            .filter(variable -> variable.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    JsonNode certificate = manifests.tree("Certificate", "session-broker-pod-tls");
    String secretName = certificate.at("/spec/secretName").asText();

    for (String file :
        List.of(
            env.get("QUARKUS_HTTP_SSL_CERTIFICATE_FILES"),
            env.get("QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES"))) {
      VolumeMount mount =
          broker.getVolumeMounts().stream()
              .filter(m -> file != null && file.startsWith(m.getMountPath() + "/"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no volume holds " + file));
      Volume volume =
          manifests.brokerPod().getVolumes().stream()
              .filter(v -> v.getName().equals(mount.getName()))
              .findFirst()
              .orElseThrow();
      assertThat(volume.getSecret().getSecretName()).isEqualTo(secretName);
      // cert-manager's Secret keys: tls.crt and tls.key.
      assertThat(file.substring(mount.getMountPath().length() + 1)).isIn("tls.crt", "tls.key");
    }
    assertThat(env).containsEntry("QUARKUS_HTTP_INSECURE_REQUESTS", "disabled");
    assertThat(env).containsKey("QUARKUS_HTTP_SSL_CERTIFICATE_RELOAD_PERIOD");
    assertThat(certificate.at("/spec/dnsNames").toString())
        .contains("session-broker.session-broker.svc");
    assertThat(certificate.at("/spec/renewBefore").asText()).isNotBlank();
    assertThat(certificate.at("/spec/privateKey/encoding").asText()).isEqualTo("PKCS8");
  }

  @Test
  void whenComponentIsAddedThenServiceAndNetworkPolicyUseTheHttpsPort() {
    Manifests manifests = Kustomize.overlay(VARIANT);
    ServicePort port = manifests.named(Service.class, BROKER).getSpec().getPorts().get(0);
    int httpsPort =
        manifests.brokerContainer().getPorts().stream()
            .filter(p -> "https".equals(p.getName()))
            .map(ContainerPort::getContainerPort)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no container port https"));

    assertThat(manifests.named(Service.class, BROKER).getSpec().getPorts()).hasSize(1);
    assertThat(port.getPort()).isEqualTo(443);
    assertThat(port.getTargetPort().getStrVal()).isEqualTo("https");
    assertThat(httpsPort).isEqualTo(8443);
    NetworkPolicy policy = manifests.named(NetworkPolicy.class, BROKER);
    assertThat(policy.getSpec().getIngress())
        .as("Keycloak's and the apps' rules")
        .filteredOn(rule -> rule.getPorts().get(0).getPort().getIntVal() != 9000)
        .hasSize(2)
        .allSatisfy(
            rule -> assertThat(rule.getPorts().get(0).getPort().getIntVal()).isEqualTo(httpsPort));
    assertThat(manifests.brokerContainer().getReadinessProbe().getHttpGet().getPort().getStrVal())
        .as("probes stay on the management interface")
        .isEqualTo("management");
  }
}
