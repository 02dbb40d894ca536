package io.sessionbroker.examples.localstack;

import io.sessionbroker.testsupport.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the stack's parts listen and where it keeps its files.
 *
 * @param repository the repository root (holds {@code mvnw}, {@code broker/}, {@code examples/})
 * @param workDir logs, the broker's outbox and Keycloak's instance; wiped at each start
 * @param redisPort redis-server's port
 * @param keycloakPort Keycloak's HTTP port
 * @param brokerPort the broker's HTTP port
 * @param brokerManagementPort the broker's management interface (health, metrics, OpenAPI)
 * @param app1Port app1's (servlet app) HTTP port
 * @param app2Port app2's (Quarkus app) HTTP port
 * @param app3Port app3's (Django app) HTTP port
 */
public record StackSettings(
    Path repository,
    Path workDir,
    int redisPort,
    int keycloakPort,
    int brokerPort,
    int brokerManagementPort,
    int app1Port,
    int app2Port,
    int app3Port) {

  /** The interactive run's Redis port (not 6379, which a system redis-server may hold). */
  public static final int DEFAULT_REDIS_PORT = 6380;

  /** The interactive run's Keycloak port. */
  public static final int DEFAULT_KEYCLOAK_PORT = 8180;

  /** The interactive run's broker port. */
  public static final int DEFAULT_BROKER_PORT = 8080;

  /** The interactive run's port of the broker's management interface (Quarkus' default). */
  public static final int DEFAULT_BROKER_MANAGEMENT_PORT = 9000;

  /** The interactive run's app1 port. */
  public static final int DEFAULT_APP1_PORT = 8081;

  /** The interactive run's app2 port. */
  public static final int DEFAULT_APP2_PORT = 8082;

  /** The interactive run's app3 (Django) port. */
  public static final int DEFAULT_APP3_PORT = 8083;

  /** Checks the values. */
  public StackSettings {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(workDir, "workDir");
  }

  /**
   * The interactive run: well-known ports, each overridable by an environment variable ({@code
   * LOCAL_STACK_REDIS_PORT}, {@code LOCAL_STACK_KEYCLOAK_PORT}, {@code LOCAL_STACK_BROKER_PORT},
   * {@code LOCAL_STACK_BROKER_MANAGEMENT_PORT}, {@code LOCAL_STACK_APP1_PORT}, {@code
   * LOCAL_STACK_APP2_PORT}, {@code LOCAL_STACK_APP3_PORT}), files in {@code LOCAL_STACK_DIR} or
   * {@code examples/local-stack/target/local-stack}.
   */
  public static StackSettings fromEnvironment(Map<String, String> env) {
    Path repository = findRepository();
    String dir = env.get("LOCAL_STACK_DIR");
    return new StackSettings(
        repository,
        dir == null || dir.isBlank()
            ? repository.resolve("examples/local-stack/target/local-stack")
            : Path.of(dir).toAbsolutePath(),
        port(env, "LOCAL_STACK_REDIS_PORT", DEFAULT_REDIS_PORT),
        port(env, "LOCAL_STACK_KEYCLOAK_PORT", DEFAULT_KEYCLOAK_PORT),
        port(env, "LOCAL_STACK_BROKER_PORT", DEFAULT_BROKER_PORT),
        port(env, "LOCAL_STACK_BROKER_MANAGEMENT_PORT", DEFAULT_BROKER_MANAGEMENT_PORT),
        port(env, "LOCAL_STACK_APP1_PORT", DEFAULT_APP1_PORT),
        port(env, "LOCAL_STACK_APP2_PORT", DEFAULT_APP2_PORT),
        port(env, "LOCAL_STACK_APP3_PORT", DEFAULT_APP3_PORT));
  }

  /** A stack on free ports, e.g. for tests, keeping its files in {@code workDir}. */
  public static StackSettings onFreePorts(Path workDir) {
    return new StackSettings(
        findRepository(),
        workDir.toAbsolutePath(),
        FreePorts.next(),
        FreePorts.next(),
        FreePorts.next(),
        FreePorts.next(),
        FreePorts.next(),
        FreePorts.next(),
        FreePorts.next());
  }

  /**
   * The repository root: system property {@code local-stack.repository}, else the nearest folder at
   * or above the working directory that holds {@code mvnw} and {@code broker/pom.xml}.
   */
  public static Path findRepository() {
    String configured = System.getProperty("local-stack.repository");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw"))
          && Files.isRegularFile(dir.resolve("broker/pom.xml"))) {
        return dir;
      }
    }
    throw new LocalStackException(
        "Run the local stack from inside the Session Broker repository (no mvnw and broker/"
            + " above "
            + Path.of("").toAbsolutePath()
            + "), or set -Dlocal-stack.repository");
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new LocalStackException(name + " must be a port number (1-65535), not '" + value + "'");
    }
  }
}
