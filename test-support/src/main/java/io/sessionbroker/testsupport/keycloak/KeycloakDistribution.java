package io.sessionbroker.testsupport.keycloak;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The Keycloak server distribution ({@code org.keycloak:keycloak-quarkus-dist:<version>:zip} from
 * Maven Central), unpacked once into a cache folder shared by every test JVM on this machine.
 *
 * <p>Where the zip comes from, first match wins:
 *
 * <ol>
 *   <li>system property {@code keycloak.dist.zip} (a path to the zip);
 *   <li>the local Maven repository ({@code maven.repo.local} or {@code ~/.m2/repository}), where
 *       building the {@code test-support} module puts it;
 *   <li>{@code <repo>/mvnw -q -B dependency:get -Dtransitive=false -Dartifact=...}, run once, for a
 *       module built without {@code test-support} in the same reactor.
 * </ol>
 *
 * <p>The unpacked server lives in {@code <cache>/keycloak-<version>}, where {@code <cache>} is
 * system property {@code keycloak.cache.dir} or {@code <java.io.tmpdir>/session-broker-keycloak}.
 * It sits outside the build's {@code target} folders on purpose: {@code mvn clean} would otherwise
 * cost every run a 160 MB unzip. Extraction goes to a private temporary folder that is renamed into
 * place, so JVMs that start at the same moment never see a half-written server; the loser of that
 * race just deletes its copy. The unpacked folder is treated as read-only: each {@link
 * KeycloakServer} gets its own home folder that links to it (see there).
 */
public final class KeycloakDistribution {

  /** The Keycloak version pinned by the build (parent POM property {@code keycloak.version}). */
  public static final String VERSION = loadVersion();

  private static final String GROUP_PATH = "org/keycloak/keycloak-quarkus-dist";
  private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration STALE_TEMP_AGE = Duration.ofHours(1);

  private static volatile KeycloakDistribution cached;

  private final String version;
  private final Path zip;
  private final Path home;

  private KeycloakDistribution(String version, Path zip, Path home) {
    this.version = version;
    this.zip = zip;
    this.home = home;
  }

  /**
   * Returns the pinned distribution, downloading and unpacking it on first use. Later calls in the
   * same JVM are free; later JVMs reuse the unpacked folder.
   */
  public static KeycloakDistribution get() {
    KeycloakDistribution result = cached;
    if (result == null) {
      synchronized (KeycloakDistribution.class) {
        result = cached;
        if (result == null) {
          Path zip = locateZip(VERSION);
          Path home = unpack(zip, cacheDir().resolve("keycloak-" + VERSION));
          result = new KeycloakDistribution(VERSION, zip, home);
          cached = result;
        }
      }
    }
    return result;
  }

  /** The Keycloak version, e.g. {@code 26.5.6}. */
  public String version() {
    return version;
  }

  /** The zip the server was unpacked from. */
  public Path zip() {
    return zip;
  }

  /** The unpacked, shared, read-only server folder (holds {@code bin/kc.sh}, {@code lib/}). */
  public Path home() {
    return home;
  }

  /** The folder that holds the unpacked server and other shared Keycloak caches. */
  static Path cacheDir() {
    String configured = System.getProperty("keycloak.cache.dir");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath();
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "session-broker-keycloak");
  }

  private static String loadVersion() {
    try (InputStream in =
        KeycloakDistribution.class.getResourceAsStream("/keycloak/keycloak-version.properties")) {
      if (in == null) {
        throw new IllegalStateException("keycloak/keycloak-version.properties is missing");
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "");
      if (version.isBlank() || version.contains("${")) {
        // Running from sources that Maven did not filter (an IDE misconfiguration): say so
        // instead of looking for a zip named after a placeholder.
        throw new IllegalStateException(
            "keycloak-version.properties was not filtered by Maven: " + version);
      }
      return version.trim();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the pinned Keycloak version", e);
    }
  }

  private static Path locateZip(String version) {
    String configured = System.getProperty("keycloak.dist.zip");
    if (configured != null && !configured.isBlank()) {
      Path zip = Path.of(configured);
      if (!Files.isRegularFile(zip)) {
        throw new IllegalStateException("keycloak.dist.zip points to no file: " + zip);
      }
      return zip;
    }
    Path zip =
        localRepository()
            .resolve(GROUP_PATH)
            .resolve(version)
            .resolve("keycloak-quarkus-dist-" + version + ".zip");
    if (!Files.isRegularFile(zip)) {
      fetchWithMaven(version, zip);
    }
    return zip;
  }

  private static Path localRepository() {
    String configured = System.getProperty("maven.repo.local");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  private static void fetchWithMaven(String version, Path expectedZip) {
    Path mvnw = findMavenWrapper();
    // -Dtransitive=false: the dist's POM lists the whole server as dependencies, ~200 MB that
    // the zip already contains.
    List<String> command = new ArrayList<>();
    command.addAll(List.of(mvnw.toString(), "-q", "-B", "dependency:get", "-Dtransitive=false"));
    command.add("-Dartifact=org.keycloak:keycloak-quarkus-dist:" + version + ":zip");
    String repoLocal = System.getProperty("maven.repo.local");
    if (repoLocal != null && !repoLocal.isBlank()) {
      // Download where locateZip looks, not into the default ~/.m2.
      command.add("-Dmaven.repo.local=" + repoLocal);
    }
    try {
      Path log = Files.createTempFile("keycloak-dist-fetch-", ".log");
      Process process =
          new ProcessBuilder(command)
              .directory(mvnw.getParent().toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      process.getOutputStream().close();
      if (!process.waitFor(FETCH_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("Fetching the Keycloak zip timed out; log: " + log);
      }
      if (process.exitValue() != 0 || !Files.isRegularFile(expectedZip)) {
        throw new IllegalStateException(
            "Could not fetch the Keycloak zip with "
                + String.join(" ", command)
                + " (exit "
                + process.exitValue()
                + "): "
                + Files.readString(log));
      }
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not run " + mvnw, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while fetching the Keycloak zip", e);
    }
  }

  /** Walks up from the working directory (a module folder under Maven) to the folder with mvnw. */
  private static Path findMavenWrapper() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path mvnw = dir.resolve("mvnw");
      if (Files.isRegularFile(mvnw)) {
        return mvnw;
      }
    }
    throw new IllegalStateException(
        "The Keycloak zip is not in the local Maven repository and no mvnw was found above "
            + Path.of("").toAbsolutePath()
            + "; build the test-support module first or set -Dkeycloak.dist.zip");
  }

  private static Path unpack(Path zip, Path target) {
    if (Files.isExecutable(target.resolve("bin/kc.sh"))) {
      return target;
    }
    Path temp = null;
    try {
      Files.createDirectories(target.getParent());
      deleteStaleTemps(target);
      temp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".tmp-");
      extract(zip, temp);
      Path root = singleTopFolder(temp);
      for (Path script : scripts(root.resolve("bin"))) {
        script.toFile().setExecutable(true, false);
      }
      try {
        Files.move(root, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        // Linux reports a rename onto a non-empty folder as a plain FileSystemException
        // (ENOTEMPTY), so look at the outcome instead of the exception type: when another JVM
        // finished first, its copy is as good as ours.
        if (!Files.isExecutable(target.resolve("bin/kc.sh"))) {
          throw raced;
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not unpack " + zip + " into " + target, e);
    } finally {
      if (temp != null) {
        deleteTree(temp);
      }
    }
  }

  private static void extract(Path zip, Path into) throws IOException {
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        Path out = into.resolve(entry.getName()).normalize();
        if (!out.startsWith(into)) {
          throw new IOException("Zip entry escapes the target folder: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(in, out);
        }
      }
    }
  }

  /** The zip holds one folder, {@code keycloak-<version>/}; that folder is the server home. */
  private static Path singleTopFolder(Path extracted) throws IOException {
    try (Stream<Path> children = Files.list(extracted)) {
      List<Path> folders = children.filter(Files::isDirectory).toList();
      if (folders.size() != 1) {
        throw new IOException("Expected one top folder in the Keycloak zip, found " + folders);
      }
      return folders.get(0);
    }
  }

  private static List<Path> scripts(Path bin) throws IOException {
    List<Path> result = new ArrayList<>();
    try (Stream<Path> files = Files.walk(bin)) {
      files.filter(path -> path.toString().endsWith(".sh")).forEach(result::add);
    }
    return result;
  }

  /** Removes half-written copies left by a JVM that was killed while unpacking. */
  private static void deleteStaleTemps(Path target) throws IOException {
    Instant cutoff = Instant.now().minus(STALE_TEMP_AGE);
    String prefix = target.getFileName() + ".tmp-";
    try (Stream<Path> siblings = Files.list(target.getParent())) {
      for (Path sibling : siblings.toList()) {
        if (sibling.getFileName().toString().startsWith(prefix)
            && Files.getLastModifiedTime(sibling).compareTo(FileTime.from(cutoff)) < 0) {
          deleteTree(sibling);
        }
      }
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    // Files.walk does not follow symbolic links by default, so a link to the shared server is
    // removed as a link and the shared copy is never touched.
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(KeycloakDistribution::deleteQuietly);
    } catch (IOException e) {
      // A leftover temporary folder costs disk space only; nothing depends on it being gone.
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // Same as above: best effort.
    }
  }
}
