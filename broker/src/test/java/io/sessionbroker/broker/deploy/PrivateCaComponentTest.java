package io.sessionbroker.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opt-in component {@code k8s/components/private-ca}: an init container builds a trust store
 * (JDK CAs plus the mounted private CA) that the broker's JVM then uses. The init script is run
 * here with this JDK's keytool, so its commands are known to work.
 */
class PrivateCaComponentTest {

  private static final String VARIANT = "prod+private-ca";
  private static final Pattern TRUST_STORE =
      Pattern.compile("-Djavax\\.net\\.ssl\\.trustStore=(\\S+)");
  private static final Pattern TRUST_STORE_PASSWORD =
      Pattern.compile("-Djavax\\.net\\.ssl\\.trustStorePassword=(\\S+)");

  @Test
  void whenComponentIsAddedThenBrokerJvmUsesTheStoreTheInitContainerWrites() {
    Manifests manifests = Kustomize.overlay(VARIANT);
    Container init = truststoreInit(manifests);
    String storePath = trustStoreOption(manifests.brokerContainer(), TRUST_STORE);

    VolumeMount brokerMount = mountHolding(manifests.brokerContainer(), storePath);
    assertThat(brokerMount.getReadOnly()).isTrue();
    VolumeMount initMount =
        init.getVolumeMounts().stream()
            .filter(mount -> mount.getName().equals(brokerMount.getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("init container does not mount the trust store"));
    String storeInInit =
        initMount.getMountPath() + storePath.substring(brokerMount.getMountPath().length());
    assertThat(String.join(" ", init.getCommand())).contains(storeInInit);
    assertThat(volume(manifests, brokerMount.getName()).getEmptyDir()).isNotNull();
  }

  @Test
  void whenComponentIsAddedThenTheCaComesFromAConfigMapAndTheInitImageIsTheBrokerBaseImage() {
    Manifests manifests = Kustomize.overlay(VARIANT);
    Container init = truststoreInit(manifests);

    assertThat(init.getImage()).isEqualTo(Dockerfile.baseImage());
    assertThat(init.getVolumeMounts())
        .anySatisfy(
            mount -> {
              assertThat(mount.getReadOnly()).isTrue();
              assertThat(volume(manifests, mount.getName()).getConfigMap().getName())
                  .isEqualTo("session-broker-ca");
            });
  }

  @Test
  void whenInitScriptRunsThenStoreHoldsJdkCasAndEveryMountedCertificate(@TempDir Path work)
      throws Exception {
    Manifests manifests = Kustomize.overlay(VARIANT);
    Container init = truststoreInit(manifests);
    String script = init.getCommand().get(init.getCommand().size() - 1);
    for (VolumeMount mount : init.getVolumeMounts()) {
      Path local = Files.createDirectories(work.resolve(mount.getName()));
      script = script.replace(mount.getMountPath() + "/", local + "/");
    }
    Path caDir = work.resolve(caMount(manifests, init).getName());
    exportCertificate(work, "corporate-root", caDir.resolve("ca.crt"));
    exportCertificate(work, "corporate-issuing", caDir.resolve("issuing.crt"));

    run(Map.of("JAVA_HOME", System.getProperty("java.home")), "sh", "-c", script);

    String storePath = trustStoreOption(manifests.brokerContainer(), TRUST_STORE);
    VolumeMount brokerMount = mountHolding(manifests.brokerContainer(), storePath);
    Path store =
        work.resolve(brokerMount.getName())
            .resolve(storePath.substring(brokerMount.getMountPath().length() + 1));
    KeyStore trustStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      trustStore.load(
          in, trustStoreOption(manifests.brokerContainer(), TRUST_STORE_PASSWORD).toCharArray());
    }
    assertThat(trustStore.isCertificateEntry("private-ca-ca")).isTrue();
    assertThat(trustStore.isCertificateEntry("private-ca-issuing")).isTrue();
    assertThat(trustStore.size()).as("the JDK's public CAs are kept").isGreaterThan(10);
  }

  private static Container truststoreInit(Manifests manifests) {
    List<Container> inits = manifests.brokerPod().getInitContainers();
    assertThat(inits).extracting(Container::getName).contains("truststore");
    return inits.stream().filter(c -> c.getName().equals("truststore")).findFirst().orElseThrow();
  }

  private static String trustStoreOption(Container broker, Pattern option) {
    EnvVar toolOptions =
        broker.getEnv().stream()
            .filter(variable -> variable.getName().equals("JAVA_TOOL_OPTIONS"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no JAVA_TOOL_OPTIONS on the broker"));
    Matcher matcher = option.matcher(toolOptions.getValue());
    assertThat(matcher.find()).as("%s in JAVA_TOOL_OPTIONS", option).isTrue();
    return matcher.group(1);
  }

  private static VolumeMount mountHolding(Container container, String path) {
    return container.getVolumeMounts().stream()
        .filter(mount -> path.startsWith(mount.getMountPath() + "/"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume mounted over " + path));
  }

  private static VolumeMount caMount(Manifests manifests, Container init) {
    return init.getVolumeMounts().stream()
        .filter(mount -> volume(manifests, mount.getName()).getConfigMap() != null)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no CA ConfigMap mounted in the init container"));
  }

  private static Volume volume(Manifests manifests, String name) {
    return manifests.brokerPod().getVolumes().stream()
        .filter(volume -> volume.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  /** A self-signed CA certificate in PEM, made with this JDK's keytool. */
  private static void exportCertificate(Path work, String alias, Path pem) throws Exception {
    Path keystore = work.resolve(alias + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(
        Map.of(),
        keytool,
        "-genkeypair",
        "-alias",
        alias,
        "-keyalg",
        "EC",
        "-dname",
        "CN=" + alias,
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        keystore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "test-only");
    run(
        Map.of(),
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        alias,
        "-file",
        pem.toString(),
        "-keystore",
        keystore.toString(),
        "-storepass",
        "test-only");
  }

  private static void run(Map<String, String> environment, String... command)
      throws IOException, InterruptedException, GeneralSecurityException {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)));
    builder.environment().putAll(environment);
    builder.redirectErrorStream(true);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command[0]).isTrue();
    assertThat(process.exitValue()).as("%s failed:%n%s", command[0], output).isZero();
  }
}
