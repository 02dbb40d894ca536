package io.sessionbroker.examples.localstack;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionbroker.testsupport.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the launcher says when it cannot start; nothing is started in these cases. */
class LocalStackStartupErrorsTest {

  private final PrintStream progress =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @Test
  void whenAPortIsTakenThenTheMessageNamesItAndHowToChooseAnother(@TempDir Path workDir)
      throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      StackSettings settings =
          new StackSettings(
              StackSettings.findRepository(),
              workDir,
              FreePorts.next(),
              FreePorts.next(),
              taken.getLocalPort(),
              FreePorts.next(),
              FreePorts.next(),
              FreePorts.next(),
              FreePorts.next());

      assertThatThrownBy(() -> LocalStack.start(settings, progress))
          .isInstanceOf(LocalStackException.class)
          .hasMessageContaining("Port " + taken.getLocalPort() + " (for the broker) is taken")
          .hasMessageContaining("LOCAL_STACK_BROKER_PORT");
    }
  }

  @Test
  void whenThePartsAreNotBuiltThenTheMessageSaysHowToBuildThem(@TempDir Path repository)
      throws Exception {
    Files.createDirectories(repository.resolve("broker"));
    StackSettings settings =
        new StackSettings(
            repository,
            repository.resolve("work"),
            FreePorts.next(),
            FreePorts.next(),
            FreePorts.next(),
            FreePorts.next(),
            FreePorts.next(),
            FreePorts.next(),
            FreePorts.next());

    assertThatThrownBy(() -> LocalStack.start(settings, progress))
        .isInstanceOf(LocalStackException.class)
        .hasMessageContaining("quarkus-run.jar is not built yet")
        .hasMessageContaining("./mvnw -B -q install -DskipTests");
  }

  @Test
  void whenAPortVariableIsNotANumberThenTheMessageNamesIt() {
    assertThatThrownBy(
            () -> StackSettings.fromEnvironment(Map.of("LOCAL_STACK_APP1_PORT", "eighty")))
        .isInstanceOf(LocalStackException.class)
        .hasMessageContaining("LOCAL_STACK_APP1_PORT must be a port number");
  }
}
