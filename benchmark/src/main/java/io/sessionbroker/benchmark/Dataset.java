package io.sessionbroker.benchmark;

import java.util.UUID;

/**
 * The synthetic registry, derived from an index so that nothing has to be stored: SSO session
 * {@code i} has a UUID {@code sid}, belongs to user {@code i / 2} (every user is signed in twice,
 * e.g. laptop and phone), and has one to three of {@value #CLIENTS} clients, each with a
 * 32-hex-char app session id (Tomcat's JSESSIONID shape). The mean is two registrations per SSO
 * session.
 */
final class Dataset {

  /** Number of Keycloak clients ({@code app0} ... {@code app9}). */
  static final int CLIENTS = 10;

  private final int ssoSessions;

  Dataset(int ssoSessions) {
    this.ssoSessions = ssoSessions;
  }

  int ssoSessions() {
    return ssoSessions;
  }

  static String clientId(int client) {
    return "app" + client;
  }

  String sid(int i) {
    return uuid(mix(i, 0x51D), mix(i, 0x51E));
  }

  String sub(int i) {
    int user = i / 2;
    return uuid(mix(user, 0x5B1), mix(user, 0x5B2));
  }

  int clientCount(int i) {
    return 1 + (int) Long.remainderUnsigned(mix(i, 0xC1), 3);
  }

  /** The k-th client of SSO session i; offsets 0, 3, 6 keep the three distinct. */
  String client(int i, int k) {
    int first = (int) Long.remainderUnsigned(mix(i, 0xC2), CLIENTS);
    return clientId((first + 3 * k) % CLIENTS);
  }

  boolean hasClient(int i, String clientId) {
    for (int k = 0; k < clientCount(i); k++) {
      if (client(i, k).equals(clientId)) {
        return true;
      }
    }
    return false;
  }

  String sessionId(int i, int k) {
    return hex(mix(i, 0xA0 + k)) + hex(mix(i, 0xB0 + k));
  }

  /** Registrations (app sessions) over all SSO sessions. */
  long registrations() {
    long total = 0;
    for (int i = 0; i < ssoSessions; i++) {
      total += clientCount(i);
    }
    return total;
  }

  private static String uuid(long high, long low) {
    // Version 4 / IETF variant bits, as Keycloak's ids carry.
    return new UUID((high & ~0xF000L) | 0x4000L, (low & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
        .toString();
  }

  private static String hex(long value) {
    String digits = Long.toHexString(value);
    return "0".repeat(16 - digits.length()) + digits.toUpperCase(java.util.Locale.ROOT);
  }

  /** SplitMix64 of (index, salt): cheap, well spread, reproducible. */
  private static long mix(long index, long salt) {
    long z = index * 0x9E3779B97F4A7C15L + salt * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
