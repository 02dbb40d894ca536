package io.sessionbroker.broker.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sessionbroker.testsupport.TestIssuer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link IssuerKeys#load()} while another load is under way, as at startup: the preload is fetching
 * when the readiness check asks.
 */
class IssuerKeysLoadTest {

  private TestIssuer issuer;

  @BeforeEach
  void startIssuer() {
    issuer = TestIssuer.start("load");
  }

  @AfterEach
  void stopIssuer() {
    issuer.close();
  }

  @Test
  void whenAFetchIsUnderWayThenAnotherLoadWaitsForItsKeys() throws Exception {
    IssuerKeys keys =
        new IssuerKeys(
            new Issuer("load", issuer.url(), List.of()),
            Optional.empty(),
            Duration.ofMinutes(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            10);
    Runnable releaseJwks = issuer.holdJwks();
    try {
      Thread preload = new Thread(keys::load, "test-preload");
      preload.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> issuer.jwksRequestCount() == 1);

      AtomicReference<Boolean> secondLoaded = new AtomicReference<>();
      Thread readiness = new Thread(() -> secondLoaded.set(keys.load()), "test-readiness");
      readiness.start();
      // The second load either answered already (without the keys under way) or waits for them.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  secondLoaded.get() != null || readiness.getState() == Thread.State.TIMED_WAITING);
      releaseJwks.run();
      readiness.join(Duration.ofSeconds(20).toMillis());
      preload.join(Duration.ofSeconds(20).toMillis());

      assertThat(secondLoaded.get()).as(String.valueOf(keys.lastError())).isTrue();
      assertThat(issuer.jwksRequestCount()).as("one fetch serves both loads").isEqualTo(1);
    } finally {
      releaseJwks.run();
    }
  }
}
