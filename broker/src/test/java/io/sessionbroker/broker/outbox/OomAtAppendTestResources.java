package io.sessionbroker.broker.outbox;

import io.sessionbroker.testsupport.RedisServer;
import java.util.List;
import java.util.Map;

/**
 * A broker that starts with one accepted logout's events owed in its journal (the registry part was
 * recorded, the event not yet appended) for a client with no stream yet, on a Redis that is full
 * ({@code maxmemory} reached, {@code maxmemory-policy noeviction}, as docs/operations.md asks):
 * every write is refused with {@code OOM} until the test makes room.
 */
public class OomAtAppendTestResources extends PersistentRedisTestResources {

  /** The client the owed event is for; it has no stream yet. */
  static final String CLIENT = "quiet-app";

  /** The sid of the owed event. */
  static final String SID = "oom-sid-1";

  private static final String OWED_EVENTS =
      """
      {"kind":"EVENTS","issuer":"test","sid":"oom-sid-1","sub":"oom-user-1","audience":"quiet-app","clientId":null,"notBefore":"2026-11-30T01:06:10Z","reason":"BACKCHANNEL_LOGOUT","revocationId":"oom-jti-1","jti":"oom-jti-1","events":[{"event":{"type":"SESSION_REVOKED","reason":"BACKCHANNEL_LOGOUT","issuer":"test","clientId":"quiet-app","sid":"oom-sid-1","sub":"oom-user-1","sessionIds":[],"at":"2026-11-30T01:06:10.863Z","notBefore":null},"dedupeKey":"sid:oom-sid-1","origin":"oom-jti-1"}]}""";

  @Override
  public Map<String, String> start() {
    Map<String, String> config = super.start();
    leaveJournal(config, List.of(OWED_EVENTS));
    return config;
  }

  @Override
  List<String> redisArguments() {
    return List.of("--maxmemory", "1", "--maxmemory-policy", "noeviction");
  }

  @Override
  String brokerRedisUri(RedisServer redis) {
    return redis.uri();
  }

  @Override
  String outboxDirectoryOf(int redisPort) {
    return "target/outbox-oom-" + redisPort;
  }
}
