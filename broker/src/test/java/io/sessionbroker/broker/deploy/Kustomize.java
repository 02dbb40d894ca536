package io.sessionbroker.broker.deploy;

import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders the repository's kustomize overlays with the real {@code kubectl kustomize} and parses
 * every document into the fabric8 model. Each overlay is rendered once per test run.
 */
final class Kustomize {

  /** Where Debian's {@code kubectl} package puts the binary. */
  private static final Path DEBIAN_KUBECTL = Path.of("/usr/bin/kubectl");

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();

  private Kustomize() {}

  /**
   * The objects of {@code k8s/overlays/<overlay>}, as {@code kubectl kustomize} renders them. A
   * variant {@code <overlay>+<component>+...} adds components of {@code k8s/components/}, the way
   * an operator would in a kustomization of their own.
   */
  static Manifests overlay(String variant) {
    return RENDERED.computeIfAbsent(variant, Kustomize::render);
  }

  /**
   * Renders a kustomization of the test's own, as an operator would write one: {@code
   * kustomization} and {@code files} (name to content) are written to a folder under target/, with
   * {@code ${k8s}} replaced by the relative path to the repository's k8s/ folder.
   */
  static Manifests custom(String name, String kustomization, Map<String, String> files) {
    Path dir = writeCustom(name, kustomization, files);
    return parse(name, run(kubectl().toString(), "kustomize", dir.toString()));
  }

  /**
   * Like {@link #custom}, for a kustomization that {@code kubectl kustomize} must refuse; returns
   * its error output.
   */
  static String customFailure(String name, String kustomization, Map<String, String> files) {
    Path dir = writeCustom(name, kustomization, files);
    Result result = execute(kubectl().toString(), "kustomize", dir.toString());
    if (result.exitCode() == 0) {
      return fail("kubectl kustomize rendered %s, which it should refuse:%n%s", name, result.out());
    }
    return result.err();
  }

  private static Path writeCustom(String name, String kustomization, Map<String, String> files) {
    Path dir = Path.of("target", "kustomize-custom", name).toAbsolutePath();
    String k8s = dir.relativize(repositoryRoot().resolve("k8s")).toString();
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("kustomization.yaml"), kustomization.replace("${k8s}", k8s));
      for (Map.Entry<String, String> file : files.entrySet()) {
        Files.writeString(dir.resolve(file.getKey()), file.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** The repository top: the first folder upwards from the working directory holding k8s/base. */
  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("k8s/base/kustomization.yaml"))) {
        return dir;
      }
    }
    return fail(
        "no k8s/base/kustomization.yaml above the working directory %s",
        Path.of("").toAbsolutePath());
  }

  private static Manifests render(String variant) {
    String[] parts = variant.split("\\+");
    Path overlay = repositoryRoot().resolve("k8s/overlays").resolve(parts[0]);
    Path dir = parts.length == 1 ? overlay : kustomizationWithComponents(variant, overlay, parts);
    return parse(variant, run(kubectl().toString(), "kustomize", dir.toString()));
  }

  private static Manifests parse(String variant, String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : yaml.split("(?m)^---\\s*$")) {
      if (!document.isBlank()) {
        objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
      }
    }
    return new Manifests(variant, List.copyOf(objects));
  }

  /** Writes a kustomization under target/ that adds components to an overlay. */
  private static Path kustomizationWithComponents(String variant, Path overlay, String[] parts) {
    Path dir = Path.of("target", "kustomize-variants", variant.replace('+', '-')).toAbsolutePath();
    StringBuilder kustomization =
        new StringBuilder(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n");
    // kustomize refuses absolute paths: refer to the repository's folders relatively.
    kustomization.append("  - ").append(dir.relativize(overlay)).append("\ncomponents:\n");
    for (int i = 1; i < parts.length; i++) {
      Path component = repositoryRoot().resolve("k8s/components").resolve(parts[i]);
      kustomization.append("  - ").append(dir.relativize(component)).append('\n');
    }
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("kustomization.yaml"), kustomization);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private static Path kubectl() {
    Optional<Path> onPath =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
            .filter(entry -> !entry.isBlank())
            .map(entry -> Path.of(entry, "kubectl"))
            .filter(Files::isExecutable)
            .findFirst();
    if (onPath.isPresent()) {
      return onPath.get();
    }
    if (Files.isExecutable(DEBIAN_KUBECTL)) {
      return DEBIAN_KUBECTL;
    }
    return fail(
        "kubectl is not installed, so the k8s/ manifests cannot be rendered and checked. Install it"
            + " (Debian: `apt-get install kubectl`; .ci/run does this on CI) and run the tests"
            + " again.");
  }

  private record Result(int exitCode, String out, String err) {}

  private static String run(String... command) {
    Result result = execute(command);
    if (result.exitCode() != 0) {
      return fail(
          "%s failed with exit code %d:%n%s",
          String.join(" ", command), result.exitCode(), result.err());
    }
    return result.out();
  }

  private static Result execute(String... command) {
    try {
      Process process = new ProcessBuilder(command).start();
      process.getOutputStream().close();
      CompletableFuture<String> stderr =
          CompletableFuture.supplyAsync(() -> readFully(process.getErrorStream()));
      String stdout = readFully(process.getInputStream());
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return fail("%s did not finish within 2 minutes", String.join(" ", command));
      }
      return new Result(process.exitValue(), stdout, stderr.join());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running kubectl", e);
    }
  }

  private static String readFully(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
