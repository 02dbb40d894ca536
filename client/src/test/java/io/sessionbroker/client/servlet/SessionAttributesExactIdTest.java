package io.sessionbroker.client.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The ids a session was signed in with are read back exactly as stored: a {@code sub} of white
 * space only is a user like any other (the broker's SubjectRule admits it), so a session of that
 * user is signed in and checked against that user's revocations.
 */
class SessionAttributesExactIdTest {

  @Test
  void aWhiteSpaceSubIsReadBackExactlyAndTheSessionIsSignedIn() {
    FakeHttpSession session = new FakeHttpSession("s-1", Instant.now(), null);
    SessionAttributes.signedIn(session, null, "\u2003", Instant.now());

    assertThat(SessionAttributes.sub(session)).isEqualTo("\u2003");
    assertThat(SessionAttributes.isSignedIn(session)).isTrue();
  }

  @Test
  void aSubWithSurroundingSpacesIsNotTrimmed() {
    FakeHttpSession session = new FakeHttpSession("s-2", Instant.now(), null);
    SessionAttributes.signedIn(session, "sid-1", " f:ldap:x ", Instant.now());

    assertThat(SessionAttributes.sub(session)).isEqualTo(" f:ldap:x ");
  }
}
