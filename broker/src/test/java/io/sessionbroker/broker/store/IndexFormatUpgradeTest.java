package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.reconcile.RegisteredSessions;
import io.sessionbroker.broker.reconcile.RegisteredUser;
import io.sessionbroker.broker.session.NewRegistration;
import io.sessionbroker.broker.session.SessionQuery;
import io.sessionbroker.broker.session.SessionRecord;
import io.sessionbroker.broker.session.SessionStatus;
import io.sessionbroker.broker.session.SessionStore;
import io.sessionbroker.broker.testing.BrokerTestResources;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Index entries in both forms of {@link IndexEncoding}: the compact UUIDs this broker writes, and
 * the plain ids a broker before them wrote, which an upgraded broker meets in Redis.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class IndexFormatUpgradeTest {

  private static final String ISSUER = "test";

  @Inject SessionStore store;
  @Inject RedisDataSource redis;
  @Inject RedisKeys keys;
  @Inject RegisteredSessions registeredSessions;

  private final String sid = UUID.randomUUID().toString();
  private final String sub = UUID.randomUUID().toString();
  private final String client = "upgrade-" + UUID.randomUUID().toString().substring(0, 8);
  private final String sessionId = "S-" + UUID.randomUUID();
  private final Instant expires = Instant.now().plus(Duration.ofHours(1));

  @Test
  void newEntriesStoreUuidsCompactAndADigestOfTheUser() {
    register();

    assertThat(
            redis
                .execute("HGET", keys.clientSessions(ISSUER, client, sessionId), sessionId)
                .toString())
        .isEqualTo(RedisKeys.encodeTime(expires.toEpochMilli()) + IndexEncoding.compactId(sid))
        .hasSizeLessThan(36);
    assertThat(
            redis
                .execute("HGET", keys.userSessions(ISSUER, sub), IndexEncoding.compactId(sid))
                .toString())
        .isEqualTo(
            RedisKeys.encodeTime(expires.toEpochMilli()) + "#" + IndexEncoding.subFingerprint(sub))
        .hasSizeLessThan(sub.length());
    assertThat(store.sidsOfUser(ISSUER, sub)).containsExactly(sid);
  }

  @Test
  void entriesAnOlderBrokerWroteAreFoundQueriedReconciledAndRevoked() {
    register();
    // As a broker before the compact form wrote them; the user index then holds the sid twice
    // (the older entry and this broker's), as after a registration retried across the upgrade.
    String plainExpiry = RedisKeys.encodeTime(expires.toEpochMilli());
    redis.execute(
        "HSET", keys.clientSessions(ISSUER, client, sessionId), sessionId, plainExpiry + "," + sid);
    redis.execute("HSET", keys.userSessions(ISSUER, sub), sid, plainExpiry + "," + sub);

    assertThat(store.find(ISSUER, client, sessionId)).map(SessionRecord::sid).contains(sid);
    assertThat(store.sidsOfUser(ISSUER, sub)).containsExactly(sid);
    assertThat(query(null, sub).items())
        .extracting(SessionRecord::sessionId)
        .containsExactly(sessionId);
    assertThat(query(client, null).items())
        .extracting(SessionRecord::sessionId)
        .containsExactly(sessionId);
    List<RegisteredUser> users = new ArrayList<>();
    registeredSessions.forEachUser(
        ISSUER,
        user -> {
          if (user.sub().equals(sub)) {
            users.add(user);
          }
          return true;
        });
    assertThat(users)
        .singleElement()
        .satisfies(user -> assertThat(user.sids()).containsExactly(sid));
    assertThat(store.revokeOne(ISSUER, client, sessionId, Instant.now()))
        .map(SessionRecord::status)
        .contains(SessionStatus.REVOKED);
  }

  @Test
  void theSidHashStoresItsVerifiedUserCompact() {
    register();

    assertThat(redis.execute("HGET", keys.sid(ISSUER, sid), "!sub").toString())
        .isEqualTo(IndexEncoding.storedId(sub))
        .hasSize(23);
    assertThat(store.find(ISSUER, client, sessionId)).map(SessionRecord::sub).contains(sub);
    SessionStore.SidRevocation revocation =
        store.revokeUserInSid(ISSUER, sid, sub, null, Instant.now(), Instant.now());
    assertThat(revocation.sub()).isEqualTo(sub);
    assertThat(revocation.affected())
        .extracting(SessionRecord::sessionId)
        .containsExactly(sessionId);
    // The sid's own user: the whole SSO session ends, with a tombstone.
    assertThat(redis.execute("HEXISTS", keys.sid(ISSUER, sid), "!rev").toInteger()).isEqualTo(1);
  }

  @Test
  void aVerifiedUserAnOlderBrokerStoredPlainIsTheSameUser() {
    register();
    // As a broker before the compact form wrote it.
    redis.execute("HSET", keys.sid(ISSUER, sid), "!sub", sub);

    assertThat(store.find(ISSUER, client, sessionId)).map(SessionRecord::sub).contains(sub);
    var second =
        store.register(
            new NewRegistration(
                ISSUER, client + "-b", "S2-" + sessionId, sid, sub, Instant.now(), expires, true));
    assertThat(second.status()).isEqualTo(SessionStore.RegisterStatus.CREATED);
    var otherUser =
        store.register(
            new NewRegistration(
                ISSUER,
                client + "-c",
                "S3-" + sessionId,
                sid,
                UUID.randomUUID().toString(),
                Instant.now(),
                expires,
                true));
    assertThat(otherUser.status()).isEqualTo(SessionStore.RegisterStatus.SUB_MISMATCH);
    List<RegisteredUser> users = new ArrayList<>();
    registeredSessions.forEachUser(
        ISSUER,
        user -> {
          if (user.sub().equals(sub)) {
            users.add(user);
          }
          return true;
        });
    assertThat(users)
        .singleElement()
        .satisfies(user -> assertThat(user.sids()).containsExactly(sid));
    SessionStore.SidRevocation revocation =
        store.revokeUserInSid(ISSUER, sid, sub, null, Instant.now(), Instant.now());
    assertThat(revocation.sub()).isEqualTo(sub);
    assertThat(revocation.affected())
        .extracting(SessionRecord::sessionId)
        .containsExactlyInAnyOrder(sessionId, "S2-" + sessionId);
    // The whole SSO session was revoked: a later registration in it is refused.
    assertThat(
            store
                .register(
                    new NewRegistration(
                        ISSUER,
                        client,
                        "S4-" + sessionId,
                        sid,
                        sub,
                        Instant.now().minusSeconds(60),
                        expires,
                        true))
                .status())
        .isEqualTo(SessionStore.RegisterStatus.REVOKED);
  }

  private void register() {
    store.register(
        new NewRegistration(ISSUER, client, sessionId, sid, sub, Instant.now(), expires, true));
  }

  private io.sessionbroker.broker.session.SessionPage query(String clientId, String bySub) {
    return store.query(new SessionQuery(ISSUER, clientId, null, bySub, 10, null, "admin"));
  }
}
