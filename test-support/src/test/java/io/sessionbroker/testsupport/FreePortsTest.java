package io.sessionbroker.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void portsLieBelowTheEphemeralRangeSoOutgoingConnectionsCannotTakeThem() {
    int ephemeralLow = FreePorts.ephemeralLow();
    for (int i = 0; i < 50; i++) {
      assertThat(FreePorts.next()).isBetween(FreePorts.LOWEST, ephemeralLow - 1);
    }
  }

  @Test
  void aPortIsHandedOutOnceAndIsFreeToBind() throws Exception {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      assertThat(seen.add(FreePorts.next())).as("handed out twice").isTrue();
    }
    int port = FreePorts.next();
    try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(server.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void aClusterNodesBusPortLiesBelowTheEphemeralRangeToo() {
    int ephemeralLow = FreePorts.ephemeralLow();
    for (int i = 0; i < 20; i++) {
      int port = FreePorts.nextWithCompanion(10_000);
      assertThat(port + 10_000).isBetween(FreePorts.LOWEST, ephemeralLow - 1);
    }
  }
}
