-- Records a logout of every session of a user (a logout token with sub and no sid, an admin
-- revocation by sub) in the user's logout record and answers which logout it is, so that each
-- affected client gets exactly one event per logout (SPEC §3.3): the events' dedupe key names it.
-- KEYS[1]: the user's logout record (RedisKeys.userLogout), a hash: TOMBSTONE_FIELD holds the
-- current logout as a tombstone value (tombstone and tombstoneValue in prelude.lua: when it was
-- received, the latest revocation time, its generation), LOGOUT_AUDIENCES_FIELD the clients whose
-- tokens asked for it (each followed by SEP, the list led by one), logoutOriginField(origin) the
-- tombstone value of the logout each revocation id (a token's jti, an admin request id) was taken
-- for.
-- ARGV: nowMs, revocationSeconds (SPEC §3.2: the token's iat, the admin action's time; whole
-- seconds), audience (the token's client; '' = none, an admin action), origin (the revocation id;
-- '' = none), fanOutMs (session-broker.sessions.logout-fan-out-window), ttlMs.
-- Returns {revokedAtMs, generation} of the logout it belongs to (decimal texts).
-- The rule is revoke_sid.lua's: with sub-only tokens Keycloak sends each client of one logout its
-- own token (own jti, own iat), and an operator may retry an admin request. A revocation id seen
-- before repeats the logout it was taken for (a journaled revocation applied again). Otherwise a
-- revocation time not later than the recorded one repeats the recorded logout; a later one does
-- too within fanOutMs after the recorded logout was received, unless it is a token of a client
-- whose token this logout already had (then the user signed in again); every other one is a new
-- logout: next generation, its own receipt time, so its own events.
local key, now = KEYS[1], ARGV[1]
local revocation = tonumber(ARGV[2])
local audience = ARGV[3] or ''
local origin = ARGV[4] or ''
local fanOutMs = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local originField = nil
if origin ~= '' then
  originField = logoutOriginField(origin)
  local known = redis.call('HGET', key, originField)
  if known then
    local at, _, generation = tombstone(known)
    return {at, string.format('%.0f', generation)}
  end
end
local revokedAt = now
local generation = 0
local audiences = SEP
local old = redis.call('HGET', key, TOMBSTONE_FIELD)
if old then
  local at, seconds, oldGeneration = tombstone(old)
  generation = oldGeneration
  local told = redis.call('HGET', key, LOGOUT_AUDIENCES_FIELD) or SEP
  local repeated = revocation <= seconds
  if not repeated and tonumber(now) - tonumber(at) <= fanOutMs then
    repeated = audience == '' or not string.find(told, SEP .. audience .. SEP, 1, true)
  end
  if repeated then
    revokedAt = at
    audiences = told
  else
    generation = oldGeneration + 1
  end
  if seconds > revocation then
    revocation = seconds
  end
end
if audience ~= '' and not string.find(audiences, SEP .. audience .. SEP, 1, true) then
  audiences = audiences .. audience .. SEP
end
local current = tombstoneValue(revokedAt, revocation, generation)
redis.call('HSET', key, TOMBSTONE_FIELD, current, LOGOUT_AUDIENCES_FIELD, audiences)
if originField then
  redis.call('HSET', key, originField, current)
end
redis.call('PEXPIRE', key, ttl)
return {string.format('%.0f', tonumber(revokedAt)), string.format('%.0f', generation)}
