package io.sessionbroker.broker.deploy;

import static io.restassured.RestAssured.given;
import static io.sessionbroker.broker.deploy.Manifests.BROKER;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.config.SessionBrokerConfig;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders {@code k8s/overlays/dev} and {@code k8s/overlays/prod} with {@code kubectl kustomize} and
 * checks what operators rely on: a replica count only the autoscaler sets, a journal volume per pod
 * that outlives the pod, a shutdown that fits its grace period, hardened pods, probes on the
 * management port that hit real health endpoints of this very broker, the supporting objects, and
 * no secret values in the repository.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class KustomizeManifestsTest {

  /** The Secret holding the Redis connection; referenced by the manifests, never shipped. */
  private static final String REDIS_SECRET = "session-broker-redis";

  private static final int HTTP_PORT = 8080;

  /** The broker's management interface: health, metrics, OpenAPI. */
  private static final int MANAGEMENT_PORT = 9000;

  /** Time for the JVM to close the journal and exit after the last bounded wait. */
  private static final Duration GRACE_HEADROOM = Duration.ofSeconds(15);

  /** The priority of Kubernetes' own system-cluster-critical pods. */
  private static final int SYSTEM_CLUSTER_CRITICAL = 2_000_000_000;

  /** {@code scheme://user:password@host}: credentials inside a URI. */
  private static final Pattern CREDENTIALS_IN_URI = Pattern.compile("://[^/@\\s]*:[^/@\\s]+@");

  /** Variable names that announce a secret value. */
  private static final Pattern SECRET_NAME =
      Pattern.compile(
          "PASSWORD|SECRET|TOKEN|CREDENTIAL|API_?KEY|PRIVATE", Pattern.CASE_INSENSITIVE);

  private static final Pattern ISSUER_URL_VARIABLE =
      Pattern.compile("SESSION_BROKER_ISSUERS_([A-Z0-9]+)_URL");

  /** The management interface of this test's broker; absolute probe paths resolve against it. */
  @TestHTTPResource(value = "/", management = true)
  URI management;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenTheAutoscalerAloneOwnsTheReplicaCount(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    StatefulSet broker = manifests.brokerStatefulSet();
    HorizontalPodAutoscaler autoscaler = manifests.named(HorizontalPodAutoscaler.class, BROKER);

    assertThat(broker.getSpec().getReplicas())
        .as("%s: spec.replicas would reset the autoscaler's count on every apply", overlay)
        .isNull();
    assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("StatefulSet");
    assertThat(autoscaler.getSpec().getScaleTargetRef().getName()).isEqualTo(BROKER);
    assertThat(autoscaler.getSpec().getMinReplicas())
        .as("%s: Keycloak does not retry, so never fewer than two brokers", overlay)
        .isGreaterThanOrEqualTo(2);
    assertThat(broker.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenEachBrokerJournalsOnARetainedVolumeOfItsOwn(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    StatefulSet broker = manifests.brokerStatefulSet();
    String journal = manifests.brokerConfigMapEnvironment().get("SESSION_BROKER_OUTBOX_DIRECTORY");
    VolumeMount mount = mountUnder(manifests.brokerContainer(), journal);

    assertThat(broker.getSpec().getVolumeClaimTemplates())
        .as("%s: the journal's volume is a claim template, one volume per pod", overlay)
        .anySatisfy(
            claim -> {
              assertThat(claim.getMetadata().getName()).isEqualTo(mount.getName());
              assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
              assertThat(claim.getSpec().getResources().getRequests()).containsKey("storage");
            });
    assertThat(manifests.brokerPod().getVolumes())
        .as("%s: no pod volume shadows the claim", overlay)
        .noneSatisfy(volume -> assertThat(volume.getName()).isEqualTo(mount.getName()));
    assertThat(broker.getSpec().getPersistentVolumeClaimRetentionPolicy())
        .as("%s: a journal outlives scale-in and deletion of the StatefulSet", overlay)
        .satisfies(
            policy -> {
              assertThat(policy.getWhenScaled()).isEqualTo("Retain");
              assertThat(policy.getWhenDeleted()).isEqualTo("Retain");
            });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenAutoscalerScalesInThenSlowlyAndOnePodAtATime(String overlay) {
    HorizontalPodAutoscalerBehavior behavior =
        Kustomize.overlay(overlay)
            .named(HorizontalPodAutoscaler.class, BROKER)
            .getSpec()
            .getBehavior();

    assertThat(behavior.getScaleDown().getStabilizationWindowSeconds())
        .as("%s: low load for at least 10 minutes before scale-in", overlay)
        .isGreaterThanOrEqualTo(600);
    assertThat(behavior.getScaleDown().getPolicies())
        .as("%s: scale-in policies", overlay)
        .isNotEmpty()
        .allSatisfy(
            policy -> {
              assertThat(policy.getType()).isEqualTo("Pods");
              assertThat(policy.getValue()).isEqualTo(1);
              assertThat(policy.getPeriodSeconds())
                  .as("at least one drain bound between two removals")
                  .isGreaterThanOrEqualTo(
                      (int) drainTimeout(Kustomize.overlay(overlay)).toSeconds());
            });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenPodStopsThenItsGracePeriodCoversPreStopRequestsAndJournalDrainWithHeadroom(
      String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    Map<String, String> environment = manifests.brokerConfigMapEnvironment();
    List<String> preStop =
        manifests.brokerContainer().getLifecycle().getPreStop().getExec().getCommand();
    assertThat(preStop).as("%s: preStop", overlay).hasSize(2).first().isEqualTo("sleep");
    Duration needed =
        Duration.ofSeconds(Long.parseLong(preStop.get(1)))
            .plus(duration(environment.get("QUARKUS_SHUTDOWN_TIMEOUT")))
            .plus(drainTimeout(manifests));

    assertThat(environment)
        .as("%s: the drain bound is set explicitly, not left to a default", overlay)
        .containsKey("SESSION_BROKER_OUTBOX_SHUTDOWN_DRAIN_TIMEOUT");
    assertThat(Duration.ofSeconds(manifests.brokerPod().getTerminationGracePeriodSeconds()))
        .as("%s: grace period vs preStop + shutdown timeout + drain timeout = %s", overlay, needed)
        .isGreaterThanOrEqualTo(needed.plus(GRACE_HEADROOM));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenNodeIsUnderPressureThenBrokersAreEvictedAfterOrdinaryPods(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    String className = manifests.brokerPod().getPriorityClassName();

    assertThat(className).as("%s: priorityClassName", overlay).isNotBlank();
    PriorityClass priority = manifests.named(PriorityClass.class, className);
    assertThat(priority.getValue()).isPositive().isLessThan(SYSTEM_CLUSTER_CRITICAL);
    assertThat(priority.getGlobalDefault()).isNotEqualTo(Boolean.TRUE);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenEveryContainerHasRequestsAndLimits(String overlay) {
    for (Container container : allContainers(Kustomize.overlay(overlay))) {
      assertThat(container.getResources().getRequests())
          .as("%s: requests of container %s", overlay, container.getName())
          .containsKeys("cpu", "memory");
      assertThat(container.getResources().getLimits())
          .as("%s: limits of container %s", overlay, container.getName())
          .containsKeys("cpu", "memory");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenEveryPodRunsHardened(String overlay) {
    for (Map.Entry<String, PodSpec> workload : pods(Kustomize.overlay(overlay)).entrySet()) {
      PodSpec pod = workload.getValue();
      PodSecurityContext podContext =
          Objects.requireNonNullElseGet(pod.getSecurityContext(), PodSecurityContext::new);
      assertThat(pod.getAutomountServiceAccountToken())
          .as("%s: %s mounts no service account token", overlay, workload.getKey())
          .isFalse();
      for (Container container : containersOf(pod)) {
        SecurityContext context =
            Objects.requireNonNullElseGet(container.getSecurityContext(), SecurityContext::new);
        String what = overlay + ": container " + container.getName();
        assertThat(firstNonNull(context.getRunAsNonRoot(), podContext.getRunAsNonRoot()))
            .as("%s runAsNonRoot", what)
            .isTrue();
        assertThat(context.getReadOnlyRootFilesystem())
            .as("%s readOnlyRootFilesystem", what)
            .isTrue();
        assertThat(context.getAllowPrivilegeEscalation())
            .as("%s allowPrivilegeEscalation", what)
            .isFalse();
        assertThat(context.getCapabilities().getDrop()).as("%s drops", what).contains("ALL");
        assertThat(context.getCapabilities().getAdd()).as("%s adds", what).isNullOrEmpty();
        assertThat(
                firstNonNull(context.getSeccompProfile(), podContext.getSeccompProfile()).getType())
            .as("%s seccomp profile", what)
            .isEqualTo("RuntimeDefault");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenBrokerProbesUseHealthEndpointsOnTheManagementPort(String overlay) {
    Container broker = Kustomize.overlay(overlay).brokerContainer();

    assertThat(probePath(broker.getStartupProbe())).isEqualTo("/q/health/started");
    assertThat(probePath(broker.getReadinessProbe())).isEqualTo("/q/health/ready");
    assertThat(probePath(broker.getLivenessProbe())).isEqualTo("/q/health/live");
    for (Probe probe :
        List.of(broker.getStartupProbe(), broker.getReadinessProbe(), broker.getLivenessProbe())) {
      assertThat(containerPortOf(broker, probe.getHttpGet()))
          .as("%s: probe %s port", overlay, probe.getHttpGet().getPath())
          .isEqualTo(MANAGEMENT_PORT);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenBrokerRunsThenEveryProbePathOfTheManifestAnswers200(String overlay) {
    Container broker = Kustomize.overlay(overlay).brokerContainer();

    for (Probe probe :
        List.of(broker.getStartupProbe(), broker.getReadinessProbe(), broker.getLivenessProbe())) {
      given()
          .when()
          .get(management.resolve(probe.getHttpGet().getPath()).toString())
          .then()
          .statusCode(200);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenServiceRoutesPort80ToBrokerPods(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    Service service = manifests.named(Service.class, BROKER);

    assertThat(Manifests.selects(service.getSpec().getSelector(), manifests.brokerPodLabels()))
        .as("%s: Service selects the broker pods", overlay)
        .isTrue();
    ServicePort port = service.getSpec().getPorts().get(0);
    assertThat(port.getPort()).isEqualTo(80);
    Container container = manifests.brokerContainer();
    assertThat(
            port.getTargetPort().getIntVal() != null
                ? port.getTargetPort().getIntVal()
                : containerPortNamed(container, port.getTargetPort().getStrVal()))
        .isEqualTo(HTTP_PORT);
    assertThat(service.getSpec().getPorts())
        .as("%s: the Service (and so any Ingress) never reaches the management port", overlay)
        .hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenDisruptionBudgetKeepsABrokerUp(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    PodDisruptionBudget budget = manifests.named(PodDisruptionBudget.class, BROKER);

    assertThat(budget.getSpec().getMinAvailable().getIntVal()).isGreaterThanOrEqualTo(1);
    assertThat(budget.getSpec().getMinAvailable().getIntVal())
        .as("%s: the budget still lets a drain evict one broker", overlay)
        .isLessThan(
            manifests.named(HorizontalPodAutoscaler.class, BROKER).getSpec().getMinReplicas());
    assertThat(
            Manifests.selects(
                budget.getSpec().getSelector().getMatchLabels(), manifests.brokerPodLabels()))
        .isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenAutoscalerScalesBrokerOnCpu(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    HorizontalPodAutoscaler autoscaler = manifests.named(HorizontalPodAutoscaler.class, BROKER);

    assertThat(autoscaler.getApiVersion()).isEqualTo("autoscaling/v2");
    assertThat(autoscaler.getSpec().getMaxReplicas())
        .isGreaterThanOrEqualTo(autoscaler.getSpec().getMinReplicas());
    assertThat(autoscaler.getSpec().getMetrics())
        .anySatisfy(metric -> assertThat(metric.getResource().getName()).isEqualTo("cpu"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenNetworkPolicyAdmitsKeycloakAndAppsAndReachesRedisAndKeycloak(
      String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    NetworkPolicy policy = manifests.named(NetworkPolicy.class, BROKER);

    assertThat(
            Manifests.selects(
                policy.getSpec().getPodSelector().getMatchLabels(), manifests.brokerPodLabels()))
        .isTrue();
    assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(Kustomize.overlay(overlay).objects().toString())
        .as("%s: every required NetworkPolicy parameter is set", overlay)
        .doesNotContain("NOT-SET");
    assertThat(policy.getSpec().getIngress())
        .allSatisfy(rule -> assertThat(ports(rule.getPorts())).hasSize(1));
    assertThat(policy.getSpec().getIngress())
        .as("%s: Prometheus reaches the management port, nothing else does", overlay)
        .filteredOn(rule -> ports(rule.getPorts()).contains(MANAGEMENT_PORT))
        .singleElement()
        .satisfies(
            rule ->
                assertThat(rule.getFrom())
                    .allSatisfy(peer -> assertThat(peer.getNamespaceSelector()).isNotNull()));
    List<NetworkPolicyPeer> sources =
        policy.getSpec().getIngress().stream()
            .filter(rule -> ports(rule.getPorts()).contains(HTTP_PORT))
            .flatMap(rule -> rule.getFrom().stream())
            .toList();
    assertThat(sources)
        .as("%s: Keycloak's pods, in their namespace, may call the broker", overlay)
        .anySatisfy(
            peer -> {
              assertThat(peer.getNamespaceSelector().getMatchLabels())
                  .containsEntry("kubernetes.io/metadata.name", "keycloak");
              assertThat(peer.getPodSelector().getMatchLabels()).containsValue("keycloak");
            });
    assertThat(sources)
        .as("%s: app pods may call the REST API", overlay)
        .anySatisfy(
            peer ->
                assertThat(peer.getPodSelector().getMatchLabels())
                    .containsEntry("sessionbroker.io/client", "true"));
    assertThat(policy.getSpec().getEgress())
        .as("%s: every egress rule names its destinations, not only ports", overlay)
        .allSatisfy(rule -> assertThat(rule.getTo()).isNotEmpty());
    Set<Integer> egressPorts =
        policy.getSpec().getEgress().stream()
            .flatMap(rule -> ports(rule.getPorts()).stream())
            .collect(Collectors.toSet());
    assertThat(egressPorts)
        .as("%s: DNS, Redis, Sentinel and Keycloak only", overlay)
        .contains(53, 6379, 26379)
        .containsAnyOf(443, 8080, 8443)
        .isSubsetOf(53, 6379, 26379, 443, 8080, 8443);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenBrokerUsesItsOwnTokenlessServiceAccount(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    ServiceAccount account = manifests.named(ServiceAccount.class, BROKER);

    assertThat(account.getAutomountServiceAccountToken()).isFalse();
    assertThat(manifests.brokerPod().getServiceAccountName()).isEqualTo(BROKER);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenConfigMapGivesBrokerAnIssuer(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);

    assertThat(manifests.all(ConfigMap.class)).isNotEmpty();
    assertThat(manifests.brokerConfigMapEnvironment().keySet())
        .anySatisfy(key -> assertThat(key).matches(ISSUER_URL_VARIABLE));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayEnvironmentIsReadThenBrokerConfigurationMapsIt(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    Map<String, String> environment = literalEnvironment(manifests);
    Map<String, String> expectedIssuers = new LinkedHashMap<>();
    environment.forEach(
        (key, value) -> {
          Matcher issuer = ISSUER_URL_VARIABLE.matcher(key);
          if (issuer.matches()) {
            expectedIssuers.put(issuer.group(1).toLowerCase(Locale.ROOT), value);
          }
        });
    assertThat(expectedIssuers).as("%s: issuers in the environment", overlay).isNotEmpty();
    // What the out-of-band Secret session-broker-keycloak holds (docs/operations.md).
    Map<String, String> withSecrets = new LinkedHashMap<>(environment);
    expectedIssuers
        .keySet()
        .forEach(
            alias ->
                withSecrets.put(
                    "SESSION_BROKER_ISSUERS_"
                        + alias.toUpperCase(Locale.ROOT)
                        + "_ADMIN_CLIENT_SECRET",
                    "placeholder-" + alias));

    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withSources(new EnvConfigSource(withSecrets, 300))
            // Quarkus' own converter: durations such as "10h", as the running broker reads them.
            .withConverter(Duration.class, 200, new DurationConverter())
            .withMapping(SessionBrokerConfig.class)
            .build();
    SessionBrokerConfig broker = config.getConfigMapping(SessionBrokerConfig.class);

    assertThat(broker.issuers()).hasSameSizeAs(expectedIssuers);
    expectedIssuers.forEach(
        (alias, url) -> {
          assertThat(broker.issuers()).containsKey(alias);
          assertThat(broker.issuers().get(alias).url()).isEqualTo(url).startsWith("http");
          assertThat(broker.issuers().get(alias).adminClientSecret())
              .hasValue("placeholder-" + alias);
        });
    assertThat(broker.sessions().defaultTtl()).isEqualTo(Duration.ofHours(10));
    assertThat(config.getValue("session-broker.outbox.directory", String.class))
        .isEqualTo(environment.get("SESSION_BROKER_OUTBOX_DIRECTORY"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenJournalAndTmpAreOnWritableVolumes(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);
    Container broker = manifests.brokerContainer();
    String journal = manifests.brokerConfigMapEnvironment().get("SESSION_BROKER_OUTBOX_DIRECTORY");

    assertThat(journal).as("%s: SESSION_BROKER_OUTBOX_DIRECTORY", overlay).isNotBlank();
    assertThat(mountUnder(broker, journal).getReadOnly()).isNotEqualTo(Boolean.TRUE);
    assertThat(volumeUnder(manifests, broker, "/tmp/").getEmptyDir()).isNotNull();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod", "prod+private-ca"})
  void whenOverlayIsRenderedThenNoSecretValueIsInTheRepository(String overlay) {
    Manifests manifests = Kustomize.overlay(overlay);

    for (Secret secret : manifests.all(Secret.class)) {
      assertThat(secret.getData())
          .as("%s: data of Secret %s", overlay, name(secret))
          .isNullOrEmpty();
      assertThat(secret.getStringData())
          .as("%s: stringData of Secret %s", overlay, name(secret))
          .isNullOrEmpty();
    }
    Map<String, String> literals = new LinkedHashMap<>();
    manifests.all(ConfigMap.class).forEach(map -> literals.putAll(map.getData()));
    allContainers(manifests).stream()
        .flatMap(container -> container.getEnv().stream())
        .filter(variable -> variable.getValue() != null)
        .forEach(variable -> literals.put(variable.getName(), variable.getValue()));
    literals.forEach(
        (key, value) -> {
          assertThat(key).as("%s: literal setting", overlay).doesNotContainPattern(SECRET_NAME);
          assertThat(value)
              .as("%s: value of %s", overlay, key)
              .doesNotContainPattern(CREDENTIALS_IN_URI);
        });
  }

  @Test
  void whenProdIsRenderedThenRedisConnectionComesFromTheRedisSecret() {
    Manifests prod = Kustomize.overlay("prod");
    Map<String, EnvVar> environment =
        prod.brokerContainer().getEnv().stream()
            .collect(Collectors.toMap(EnvVar::getName, variable -> variable));

    for (String required : List.of("QUARKUS_REDIS_HOSTS", "QUARKUS_REDIS_CLIENT_TYPE")) {
      assertThat(environment).containsKey(required);
      SecretKeySelector reference = environment.get(required).getValueFrom().getSecretKeyRef();
      assertThat(reference.getName()).isEqualTo(REDIS_SECRET);
      assertThat(reference.getOptional()).as("%s is required", required).isNotEqualTo(Boolean.TRUE);
    }
    assertThat(
            environment.get("QUARKUS_REDIS_MASTER_NAME").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo(REDIS_SECRET);
    assertThat(prod.brokerConfigMapEnvironment()).doesNotContainKeys("QUARKUS_REDIS_HOSTS");
    assertThat(prod.all(Secret.class)).as("the Secret is created out of band").isEmpty();
    assertThat(prod.named(HorizontalPodAutoscaler.class, BROKER).getSpec().getMinReplicas())
        .isGreaterThanOrEqualTo(3);
    assertThat(prod.brokerContainer().getImage()).doesNotEndWith(":latest");
  }

  @Test
  void whenDevIsRenderedThenBrokerUsesTheOverlaysOwnRedis() {
    Manifests dev = Kustomize.overlay("dev");
    URI redis = URI.create(dev.brokerConfigMapEnvironment().get("QUARKUS_REDIS_HOSTS"));
    Service service = dev.named(Service.class, redis.getHost());
    Deployment server = dev.named(Deployment.class, redis.getHost());

    assertThat(service.getSpec().getPorts())
        .anySatisfy(port -> assertThat(port.getPort()).isEqualTo(redis.getPort()));
    assertThat(
            Manifests.selects(
                service.getSpec().getSelector(),
                server.getSpec().getTemplate().getMetadata().getLabels()))
        .isTrue();
    assertThat(Manifests.selects(service.getSpec().getSelector(), dev.brokerPodLabels()))
        .as("the Redis Service must not select broker pods")
        .isFalse();
  }

  private static List<Container> allContainers(Manifests manifests) {
    return pods(manifests).values().stream().flatMap(pod -> containersOf(pod).stream()).toList();
  }

  /** The pod spec of every Deployment and StatefulSet, by kind and name. */
  private static Map<String, PodSpec> pods(Manifests manifests) {
    Map<String, PodSpec> pods = new LinkedHashMap<>();
    manifests
        .all(Deployment.class)
        .forEach(d -> pods.put("Deployment " + name(d), d.getSpec().getTemplate().getSpec()));
    manifests
        .all(StatefulSet.class)
        .forEach(s -> pods.put("StatefulSet " + name(s), s.getSpec().getTemplate().getSpec()));
    return pods;
  }

  private static List<Container> containersOf(PodSpec pod) {
    return Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList();
  }

  private static Duration drainTimeout(Manifests manifests) {
    return duration(
        manifests.brokerConfigMapEnvironment().get("SESSION_BROKER_OUTBOX_SHUTDOWN_DRAIN_TIMEOUT"));
  }

  /** A duration as the broker reads it (Quarkus' converter: "20s", "PT20S", "500ms"). */
  private static Duration duration(String value) {
    assertThat(value).as("a duration setting").isNotBlank();
    return new DurationConverter().convert(value);
  }

  /** ConfigMap data and literal env values of the broker container, as the container sees them. */
  private static Map<String, String> literalEnvironment(Manifests manifests) {
    Map<String, String> environment = new LinkedHashMap<>(manifests.brokerConfigMapEnvironment());
    manifests.brokerContainer().getEnv().stream()
        .filter(variable -> variable.getValue() != null)
        .forEach(variable -> environment.put(variable.getName(), variable.getValue()));
    return environment;
  }

  private static String probePath(Probe probe) {
    assertThat(probe).isNotNull();
    assertThat(probe.getHttpGet()).isNotNull();
    return probe.getHttpGet().getPath();
  }

  private static int containerPortOf(Container container, HTTPGetAction action) {
    return action.getPort().getIntVal() != null
        ? action.getPort().getIntVal()
        : containerPortNamed(container, action.getPort().getStrVal());
  }

  private static int containerPortNamed(Container container, String name) {
    return container.getPorts().stream()
        .filter(port -> name.equals(port.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name));
  }

  private static Set<Integer> ports(List<NetworkPolicyPort> ports) {
    return ports.stream().map(port -> port.getPort().getIntVal()).collect(Collectors.toSet());
  }

  /** The mount that holds {@code path}; fails when none does. */
  private static VolumeMount mountUnder(Container container, String path) {
    return container.getVolumeMounts().stream()
        .filter(m -> path.equals(m.getMountPath()) || path.startsWith(m.getMountPath() + "/"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume mounted over " + path));
  }

  /** The pod volume whose mount holds {@code path}; fails when none does. */
  private static Volume volumeUnder(Manifests manifests, Container container, String path) {
    VolumeMount mount = mountUnder(container, path);
    assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
    return manifests.brokerPod().getVolumes().stream()
        .filter(volume -> volume.getName().equals(mount.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
  }

  private static String name(io.fabric8.kubernetes.api.model.HasMetadata object) {
    return object.getMetadata().getName();
  }

  private static <T> T firstNonNull(T first, T second) {
    return first != null ? first : second;
  }
}
