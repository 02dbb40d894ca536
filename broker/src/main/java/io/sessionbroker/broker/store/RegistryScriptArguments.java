package io.sessionbroker.broker.store;

import java.time.Instant;
import java.util.List;

/**
 * The argument lists of the registration scripts ({@code lua/register.lua}, {@code
 * lua/index_put.lua}), in the order the scripts read them: the one place that knows that order, for
 * the broker's registration path ({@link RedisRegistrations}) and the benchmark's bulk loader,
 * which must write exactly what the broker would.
 */
public final class RegistryScriptArguments {

  private RegistryScriptArguments() {}

  /**
   * {@code register.lua}'s ARGV for one registration; its KEYS are {@link RedisKeys#sid}.
   *
   * @param sub the user, or null when unknown
   * @param nowMs the registration's creation time and the script's now, epoch milliseconds
   * @param expiresAtMs when the registration expires, epoch milliseconds
   * @param start when the session started (SPEC §3.2), or null when unknown: then any logout of the
   *     sid refuses it
   * @param subVerified whether {@code sub} comes from a verified ID token (else the app claimed it)
   * @param maxPerSid the most registrations one sid hash may hold
   */
  public static List<String> register(
      String clientId,
      String sessionId,
      String sub,
      long nowMs,
      long expiresAtMs,
      Instant start,
      boolean subVerified,
      int maxPerSid) {
    String user = sub == null ? "" : sub;
    String now = Long.toString(nowMs);
    return List.of(
        SidHash.registrationField(clientId, sessionId),
        clientId,
        user,
        IndexEncoding.storedId(user),
        now,
        Long.toString(expiresAtMs),
        now,
        start == null ? "-1" : Long.toString(start.getEpochSecond()),
        subVerified ? "verified" : "claimed",
        Integer.toString(maxPerSid));
  }

  /**
   * {@code index_put.lua}'s ARGV for the client index entry of a registration; its KEYS are {@link
   * RedisKeys#clientSessions}.
   */
  public static List<String> clientIndexPut(
      String sessionId, String sid, long expiresAtMs, long nowMs) {
    return List.of(
        sessionId,
        IndexEncoding.clientIndexValue(expiresAtMs, sid),
        Long.toString(expiresAtMs),
        Long.toString(nowMs));
  }

  /**
   * {@code index_put.lua}'s ARGV for the user index entry of a sid; its KEYS are {@link
   * RedisKeys#userSessions}.
   */
  public static List<String> userIndexPut(String sid, String sub, long expiresAtMs, long nowMs) {
    return List.of(
        IndexEncoding.userIndexField(sid),
        IndexEncoding.userIndexValue(expiresAtMs, sub),
        Long.toString(expiresAtMs),
        Long.toString(nowMs));
  }
}
