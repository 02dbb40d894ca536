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
    app1HoldsMostRegistrations();
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
    app1HoldsMostRegistrations();
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
  void whenPastTheShareThenAClientHoldingLessThanItsShareIsStillAdmitted() {
    app1HoldsMostRegistrations();
    NewRegistration ofApp2 = ofClient("app2");
    // Past the share (900_000), below the hard limit (950_000).
    headroom.apply(new RegistrationHeadroom.Reading(920_000, 1_000_000, 0));

    assertThatThrownBy(() -> headroom.admit(REGISTRATION))
        .isInstanceOf(RegistryFullException.class);
    headroom.admit(ofApp2);
  }

  @Test
  void whenPastTheHardLimitThenEveryClientIsRefused() {
    app1HoldsMostRegistrations();
    NewRegistration ofApp2 = ofClient("app2");
    headroom.apply(new RegistrationHeadroom.Reading(950_000, 1_000_000, 0));

    assertThatThrownBy(() -> headroom.admit(ofApp2)).isInstanceOf(RegistryFullException.class);
  }

  @Test
  void whenAClientIsTheOnlyOneSeenThenTheHardLimitAloneRefusesIt() {
    headroom.recordClientBucket("acme", "app1", 10, 1024);
    headroom.apply(new RegistrationHeadroom.Reading(920_000, 1_000_000, 0));

    headroom.admit(REGISTRATION);
    headroom.apply(new RegistrationHeadroom.Reading(950_000, 1_000_000, 0));
    assertThatThrownBy(() -> headroom.admit(REGISTRATION))
        .isInstanceOf(RegistryFullException.class);
  }

  @Test
  void whenABucketHoldsOnlyTheNewEntryThenTheClientIsEstimatedAtOne() {
    headroom.recordClientBucket("acme", "app1", 3, 1024);
    headroom.recordClientBucket("acme", "app2", 1, 1024);

    assertThat(headroom.aboveShare("acme" + RedisKeys.SEP + "app1")).isTrue();
    assertThat(headroom.aboveShare("acme" + RedisKeys.SEP + "app2")).isFalse();
  }

  /** app1 estimated at about 9 000 live registrations, app2 at one. */
  private void app1HoldsMostRegistrations() {
    headroom.recordClientBucket("acme", "app1", 10, 1024);
    headroom.recordClientBucket("acme", "app2", 1, 1024);
  }

  private static NewRegistration ofClient(String clientId) {
    return new NewRegistration(
        "acme",
        clientId,
        "S-2",
        "sid-2",
        "user-2",
        null,
        Instant.parse("2030-01-01T00:00:00Z"),
        false);
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
