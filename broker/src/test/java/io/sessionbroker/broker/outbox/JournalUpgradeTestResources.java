package io.sessionbroker.broker.outbox;

import io.sessionbroker.testsupport.RedisServer;
import java.util.List;
import java.util.Map;

/**
 * A broker that starts on a journal written by the previous version (one record with a nullable
 * field for every kind): every kind, owed events, and a line of an older version without the later
 * fields, all for the client {@link #CLIENT}, waiting to be replayed into an empty Redis.
 */
public class JournalUpgradeTestResources extends PersistentRedisTestResources {

  /** The client every journaled revocation is for. */
  static final String CLIENT = "upgraded-app";

  /** The journal as the previous version left it, in its order. */
  static final List<String> PREVIOUS_JOURNAL =
      List.of(
          """
          {"kind":"SID","issuer":"test","sid":"upgrade-sid-1","sub":"upgrade-user-1","audience":"upgraded-app","clientId":null,"notBefore":"2026-11-30T01:06:09Z","reason":"BACKCHANNEL_LOGOUT","revocationId":"upgrade-jti-1","jti":"upgrade-jti-1","events":null}""",
          """
          {"kind":"USER","issuer":"test","sid":null,"sub":"upgrade-user-2","audience":"upgraded-app","clientId":null,"notBefore":"2026-11-30T01:06:09Z","reason":"BACKCHANNEL_LOGOUT","revocationId":"upgrade-jti-2","jti":"upgrade-jti-2","events":null}""",
          """
          {"kind":"CLIENT","issuer":"test","sid":null,"sub":null,"audience":null,"clientId":"upgraded-app","notBefore":"2026-11-30T01:08:00Z","reason":"KEYCLOAK_ADMIN","revocationId":"PUSH_NOT_BEFORE:upgrade-action-3","jti":"keycloak-admin:upgrade-action-3","events":null}""",
          """
          {"kind":"EVENTS","issuer":"test","sid":"upgrade-sid-4","sub":"upgrade-user-4","audience":"upgraded-app","clientId":null,"notBefore":"2026-11-30T01:06:10Z","reason":"BACKCHANNEL_LOGOUT","revocationId":"upgrade-jti-4","jti":"upgrade-jti-4","events":[{"event":{"type":"SESSION_REVOKED","reason":"BACKCHANNEL_LOGOUT","issuer":"test","clientId":"upgraded-app","sid":"upgrade-sid-4","sub":"upgrade-user-4","sessionIds":[],"at":"2026-11-30T01:06:10.863Z","notBefore":null},"dedupeKey":"sid:upgrade-sid-4","origin":"upgrade-jti-4"}]}""",
          """
          {"kind":"SID","issuer":"test","sid":"upgrade-sid-5","sub":"upgrade-user-5","audience":"upgraded-app","clientId":null,"reason":"BACKCHANNEL_LOGOUT","revocationId":"upgrade-jti-5","jti":"upgrade-jti-5"}""");

  @Override
  public Map<String, String> start() {
    Map<String, String> config = super.start();
    leaveJournal(config, PREVIOUS_JOURNAL);
    return config;
  }

  @Override
  List<String> redisArguments() {
    return List.of();
  }

  @Override
  String brokerRedisUri(RedisServer redis) {
    return redis.uri();
  }

  @Override
  String outboxDirectoryOf(int redisPort) {
    return "target/outbox-upgrade-" + redisPort;
  }
}
