package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The sid hash values the Lua scripts write read back with {@link SidHash}'s Java codecs, and the
 * values the Java codecs write read back in the scripts, on a real redis-server: one layout, two
 * languages.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SidHashLuaRoundTripTest {

  private static final LuaScript REGISTER = LuaScript.load("register");
  private static final LuaScript REVOKE_ONE = LuaScript.load("revoke_one");
  private static final LuaScript REVOKE_SID = LuaScript.load("revoke_sid");
  private static final long TTL = 3_600_000;

  @Inject RedisDataSource redis;

  private final RedisKeys keys = new RedisKeys("sb-layout-test");
  private final String key = keys.sid("test", UUID.randomUUID().toString());
  private final long now = System.currentTimeMillis();
  private final long expires = now + TTL;

  @Test
  void aRegistrationFromAnIdTokenReadsInJavaWithTheSidsUser() {
    String field = SidHash.registrationField("app1", "S-1");

    assertThat(register(field, "app1", "user-1", now - 5_000, "verified").get(0).toString())
        .isEqualTo("created");

    String value = hget(field);
    SidHash.Registration stored = SidHash.Registration.parse(value);
    assertThat(stored).isEqualTo(new SidHash.Registration(now - 5_000, expires, 0, null));
    assertThat(stored.format()).isEqualTo(value);
    assertThat(hget(SidHash.SUB_FIELD)).isEqualTo("user-1");
  }

  @Test
  void aClaimedRegistrationReadsInJavaWithItsOwnUserEvenOneWithTheSeparator() {
    String field = SidHash.registrationField("app1", "S-1");
    String noUser = SidHash.registrationField("app2", "S-2");

    register(field, "app1", "claimed,user", now, "claimed");
    register(noUser, "app2", "", now, "claimed");

    assertThat(SidHash.Registration.parse(hget(field)))
        .isEqualTo(new SidHash.Registration(now, expires, 0, "claimed,user"));
    assertThat(SidHash.Registration.parse(hget(noUser)).user("someone")).isNull();
    assertThat(SidHash.Registration.parse(hget(noUser)).format()).isEqualTo(hget(noUser));
    assertThat(redis.execute("HEXISTS", key, SidHash.SUB_FIELD).toInteger()).isZero();
  }

  @Test
  void aRegistrationRevokedInLuaReadsInJavaRevokedWithItsClaimKept() {
    String field = SidHash.registrationField("app1", "S-1");
    register(field, "app1", "claimed-user", now, "claimed");
    long revokedAt = now + 1_234;

    assertThat(
            REVOKE_ONE
                .run(redis, List.of(key), List.of(field, Long.toString(revokedAt), "revoke", "0"))
                .get(0)
                .toString())
        .isEqualTo("revoked");

    assertThat(SidHash.Registration.parse(hget(field)))
        .isEqualTo(new SidHash.Registration(now, expires, revokedAt, "claimed-user"));
  }

  @Test
  void aLogoutTombstoneWrittenInLuaReadsInJava() {
    register(SidHash.registrationField("app1", "S-1"), "app1", "user-1", now, "verified");
    long revocationSeconds = now / 1000 + 1;

    revokeSid("sso", "", revocationSeconds);
    revokeSid("client", "app2", revocationSeconds);

    String tombstone = hget(SidHash.TOMBSTONE_FIELD);
    assertThat(SidHash.Tombstone.parse(tombstone))
        .isEqualTo(new SidHash.Tombstone(now + 10, revocationSeconds, 0));
    assertThat(SidHash.Tombstone.parse(tombstone).format()).isEqualTo(tombstone);
    assertThat(SidHash.Tombstone.parse(hget(SidHash.clientTombstoneField("app2"))))
        .isEqualTo(new SidHash.Tombstone(now + 10, revocationSeconds, 0));
  }

  @Test
  void registrationsWrittenInJavaAreReadRetriedAndRevokedInLua() {
    String active = SidHash.registrationField("app1", "S-1");
    String revoked = SidHash.registrationField("app1", "S-2");
    String claimed = SidHash.registrationField("app2", "S-3");
    redis.execute("HSET", key, SidHash.SUB_FIELD, "user-1");
    hset(active, new SidHash.Registration(now - 60_000, expires, 0, null).format());
    hset(revoked, new SidHash.Registration(now - 60_000, expires, now - 30_000, null).format());
    hset(claimed, new SidHash.Registration(now - 60_000, expires, 0, "user-2").format());

    Response retried = register(active, "app1", "user-1", now, "verified");
    Response refused = register(revoked, "app1", "user-1", now, "verified");
    Response user2 = revokeSid("sso", "user-2", now / 1000);

    // A retry keeps the first creation time, as Java wrote it.
    assertThat(retried.get(0).toString()).isEqualTo("updated");
    assertThat(Long.parseLong(retried.get(1).toString())).isEqualTo(now - 60_000);
    assertThat(refused.get(0).toString()).isEqualTo("revoked");
    assertThat(Long.parseLong(refused.get(1).toString())).isEqualTo(now - 30_000);
    // The revocation of user-2 reaches the one registration whose claim Java wrote as user-2.
    assertThat(user2.get(2).size()).isEqualTo(2);
    assertThat(user2.get(2).get(0).toString()).isEqualTo(claimed);
    assertThat(SidHash.Registration.parse(hget(claimed)))
        .isEqualTo(new SidHash.Registration(now - 60_000, expires, now + 10, "user-2"));
    assertThat(SidHash.Registration.parse(hget(active)).revoked()).isFalse();
  }

  @Test
  void tombstonesWrittenInJavaAreComparedAndAdvancedInLua() {
    long revocationSeconds = now / 1000 - 10;
    hset(
        SidHash.TOMBSTONE_FIELD,
        new SidHash.Tombstone(now - 20_000, revocationSeconds, 3).format());
    String field = SidHash.registrationField("app1", "S-1");

    Response before = register(field, "app1", "user-1", revocationSeconds * 1000, "verified");
    Response after = register(field, "app1", "user-1", (revocationSeconds + 1) * 1000, "verified");

    assertThat(before.get(0).toString()).isEqualTo("revoked");
    assertThat(after.get(0).toString()).isEqualTo("created");
    // Admitted past the tombstone: a new generation, and the next logout records its own time.
    assertThat(SidHash.Tombstone.parse(hget(SidHash.TOMBSTONE_FIELD)))
        .isEqualTo(new SidHash.Tombstone(0, revocationSeconds, 4));
    Response logout = revokeSid("sso", "", revocationSeconds - 5);
    assertThat(logout.get(3).toString()).isEqualTo("4");
    assertThat(SidHash.Tombstone.parse(hget(SidHash.TOMBSTONE_FIELD)))
        .isEqualTo(new SidHash.Tombstone(now + 10, revocationSeconds, 4));
  }

  @Test
  void aOneNumberTombstoneReadsAsItsSecondInJavaAndLua() {
    long receivedAt = now - 20_000;
    hset(SidHash.TOMBSTONE_FIELD, Long.toString(receivedAt));
    SidHash.Tombstone old = SidHash.Tombstone.parse(hget(SidHash.TOMBSTONE_FIELD));
    String field = SidHash.registrationField("app1", "S-1");

    Response atIt = register(field, "app1", "", old.revocationSeconds() * 1000, "verified");
    Response after = register(field, "app1", "", (old.revocationSeconds() + 1) * 1000, "verified");

    assertThat(atIt.get(0).toString()).isEqualTo("revoked");
    assertThat(after.get(0).toString()).isEqualTo("created");
    assertThat(SidHash.Tombstone.parse(hget(SidHash.TOMBSTONE_FIELD)))
        .isEqualTo(new SidHash.Tombstone(0, old.revocationSeconds(), 1));
  }

  /**
   * A user-storage user's id ({@code f:<component>:<username>}) may hold the value separator, the
   * look-alike of the field separator (U+241F), braces, spaces and letters of any script: Lua
   * (which sees UTF-8 bytes) and Java read the same claim back, and a logout by that user reaches
   * it and no one else's.
   */
  @Test
  void aClaimedFederatedSubWithSeparatorLikeCharactersRoundTripsAndIsRevokedByItself() {
    String federated = "f:4b1c0a9e:Jos\u00e9 {M\u00fcller},\u241f\u0436 \ud83d\ude00,0,0";
    String other = "f:4b1c0a9e:Jos\u00e9 {M\u00fcller}";
    String field = SidHash.registrationField("app1", "S-1");
    String otherField = SidHash.registrationField("app2", "S-2");

    register(field, "app1", federated, now, "claimed");
    register(otherField, "app2", other, now, "claimed");

    SidHash.Registration stored = SidHash.Registration.parse(hget(field));
    assertThat(stored).isEqualTo(new SidHash.Registration(now, expires, 0, federated));
    assertThat(stored.user(null)).isEqualTo(federated);
    assertThat(stored.format()).isEqualTo(hget(field));

    Response revoked = revokeSid("sso", federated, now / 1000);

    assertThat(revoked.get(2).size()).isEqualTo(2);
    assertThat(revoked.get(2).get(0).toString()).isEqualTo(field);
    assertThat(SidHash.Registration.parse(hget(field)))
        .isEqualTo(new SidHash.Registration(now, expires, now + 10, federated));
    assertThat(SidHash.Registration.parse(hget(otherField)).revoked()).isFalse();
  }

  /** register.lua as the broker sends it; {@code startMillis} is the session's start. */
  private Response register(
      String field, String clientId, String sub, long startMillis, String subSource) {
    return REGISTER.run(
        redis,
        List.of(key),
        List.of(
            field,
            clientId,
            sub,
            IndexEncoding.storedId(sub),
            Long.toString(startMillis),
            Long.toString(expires),
            Long.toString(now),
            Long.toString(startMillis / 1000),
            subSource,
            "100"));
  }

  /** revoke_sid.lua at {@code now + 10}; {@code scopeArgument} the client, or a user in sso. */
  private Response revokeSid(String scope, String scopeArgument, long revocationSeconds) {
    boolean client = scope.equals("client");
    String onlySub = client ? "" : scopeArgument;
    return REVOKE_SID.run(
        redis,
        List.of(key),
        List.of(
            Long.toString(now + 10),
            scope,
            client ? scopeArgument : "",
            Long.toString(TTL),
            Long.toString(revocationSeconds),
            onlySub,
            IndexEncoding.storedId(onlySub)));
  }

  private String hget(String field) {
    Response value = redis.execute("HGET", key, field);
    assertThat(value).as("field %s", field).isNotNull();
    return value.toString();
  }

  private void hset(String field, String value) {
    redis.execute("HSET", key, field, value);
  }
}
