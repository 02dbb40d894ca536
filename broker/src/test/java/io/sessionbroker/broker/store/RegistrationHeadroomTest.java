package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sessionbroker.broker.session.NewRegistration;
import io.sessionbroker.broker.session.RegistryFullException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The admission arithmetic of {@link RegistrationHeadroom}, without Redis (readings given). */
class RegistrationHeadroomTest {

  private static final NewRegistration REGISTRATION =
      new NewRegistration(
          "acme",
          "app1",
          "S-1",
          "sid-1",
          "user-1",
          null,
          Instant.parse("2030-01-01T00:00:00Z"),
          false);

  private final RegistrationHeadroom headroom =
      new RegistrationHeadroom(null, null, 0.9, Duration.ofSeconds(1), new SimpleMeterRegistry());

  @Test
  void whenRedisHasNoMaxmemoryThenEveryRegistrationIsAdmitted() {
    headroom.apply(new RegistrationHeadroom.Reading(10_000_000, 0, 0));

    for (int i = 0; i < 10_000; i++) {
      headroom.admit(REGISTRATION);
    }
    assertThat(headroom.usedShare()).isNaN();
  }

  @Test
  void whenAdmittedRegistrationsSinceTheReadingReachTheShareThenTheNextIsRefused() {
    long cost = RegistrationHeadroom.estimatedBytes(REGISTRATION);
    // The limit is 900_000 bytes (0.9 of 1_000_000): room for exactly five more registrations.
    headroom.apply(new RegistrationHeadroom.Reading(900_000 - 5 * cost, 1_000_000, 0));

    for (int i = 0; i < 5; i++) {
      headroom.admit(REGISTRATION);
    }
    assertThatThrownBy(() -> headroom.admit(REGISTRATION))
        .isInstanceOf(RegistryFullException.class);
  }

  @Test
  void whenANewReadingShowsRoomThenRegistrationsAreAdmittedAgain() {
    headroom.apply(new RegistrationHeadroom.Reading(950_000, 1_000_000, 0));
    assertThatThrownBy(() -> headroom.admit(REGISTRATION))
        .isInstanceOf(RegistryFullException.class);

    headroom.apply(new RegistrationHeadroom.Reading(500_000, 1_000_000, 0));

    headroom.admit(REGISTRATION);
    assertThat(headroom.usedShare()).isEqualTo(0.5);
  }

  @Test
  void whenTheReadingWasAskedForAfterSomeAdmissionsThenOnlyLaterOnesAreAdded() {
    long cost = RegistrationHeadroom.estimatedBytes(REGISTRATION);
    for (int i = 0; i < 3; i++) {
      headroom.admit(REGISTRATION);
    }
    // The reading already holds those three: one more fits below the limit, not two.
    headroom.apply(new RegistrationHeadroom.Reading(900_000 - cost, 1_000_000, 3 * cost));

    headroom.admit(REGISTRATION);
    assertThatThrownBy(() -> headroom.admit(REGISTRATION))
        .isInstanceOf(RegistryFullException.class);
  }

  @Test
  void whenInfoMemoryIsParsedThenUsedAndMaxAreRead() {
    RegistrationHeadroom.Reading reading =
        RegistrationHeadroom.parse(
            "# Memory\r\nused_memory:1234\r\nused_memory_human:1.21K\r\nmaxmemory:5678\r\n", 7);

    assertThat(reading).isEqualTo(new RegistrationHeadroom.Reading(1234, 5678, 7));
  }

  @Test
  void whenInfoMemoryLacksMaxmemoryThenParsingFails() {
    assertThatThrownBy(() -> RegistrationHeadroom.parse("# Memory\r\nused_memory:1234\r\n", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void whenIdsAreLongerThenTheEstimateGrows() {
    NewRegistration longer =
        new NewRegistration(
            "acme",
            "app1",
            "S-1".repeat(50),
            "sid-1",
            "user-1",
            null,
            Instant.parse("2030-01-01T00:00:00Z"),
            false);

    assertThat(RegistrationHeadroom.estimatedBytes(longer))
        .isGreaterThan(RegistrationHeadroom.estimatedBytes(REGISTRATION));
  }
}
