package io.sessionbroker.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The container image cannot be built here (no Docker engine), so these checks read its files: the
 * Dockerfile only copies what the {@code .dockerignore} admits, and the image agrees with the
 * Kubernetes manifests on user, port and journal volume.
 */
class ContainerImageFilesTest {

  private static final Path ROOT = Kustomize.repositoryRoot();

  @Test
  void whenDockerfileCopiesTheApplicationThenDockerignoreAdmitsOnlyTheQuarkusAppFolder()
      throws IOException {
    List<String> ignore = meaningfulLines(ROOT.resolve(".dockerignore"));

    assertThat(ignore).first().isEqualTo("*");
    assertThat(ignore).contains("!broker/target/quarkus-app/**");
    assertThat(Dockerfile.instructions("COPY"))
        .isNotEmpty()
        .allSatisfy(
            copy -> {
              List<String> words =
                  Arrays.stream(copy.split("\\s+")).filter(w -> !w.startsWith("--")).toList();
              assertThat(words.subList(0, words.size() - 1))
                  .allSatisfy(
                      source -> assertThat(source).startsWith("broker/target/quarkus-app/"));
            });
  }

  @Test
  void whenImageRunsThenItIsAnUnprivilegedUbiJavaRuntimeWithTheJbossLogManager() {
    assertThat(Dockerfile.baseImage())
        .startsWith("registry.access.redhat.com/ubi9/openjdk-17-runtime:");
    assertThat(Dockerfile.instructions("USER")).last().isEqualTo("185");
    assertThat(Dockerfile.instructions("ENV"))
        .anySatisfy(
            env ->
                assertThat(env)
                    .startsWith("JAVA_OPTS_APPEND=")
                    .contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager"));
  }

  @Test
  void whenImageIsDeployedThenManifestsAgreeOnUserPortsAndJournalVolume() {
    Manifests prod = Kustomize.overlay("prod");
    Container broker = prod.brokerContainer();

    assertThat(Dockerfile.instructions("EXPOSE"))
        .singleElement()
        .satisfies(
            expose ->
                assertThat(expose.split("\\s+"))
                    .containsExactlyInAnyOrderElementsOf(
                        broker.getPorts().stream()
                            .map(port -> Integer.toString(port.getContainerPort()))
                            .toList()));
    assertThat(broker.getPorts())
        .extracting(port -> port.getName() + ":" + port.getContainerPort())
        .containsExactlyInAnyOrder("http:8080", "management:9000");
    assertThat(prod.brokerPod().getSecurityContext())
        .satisfies(context -> assertThat(context.getRunAsUser()).isEqualTo(185L));
    assertThat(Dockerfile.instructions("VOLUME"))
        .singleElement()
        .asString()
        .contains("/deployments/data");
    assertThat(broker.getVolumeMounts())
        .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/deployments/data"));
  }

  private static List<String> meaningfulLines(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }
}
