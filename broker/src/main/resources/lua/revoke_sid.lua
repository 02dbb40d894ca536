-- Logs out one SSO session: writes its tombstone and marks its registrations revoked.
-- KEYS[1]: sid hash; KEYS[2] (optional): the processed-jti marker of the logout token that asks
-- for it, in the sid hash's slot (RedisKeys.processedJti): when it exists the token was processed
-- already (SPEC §4 replay guard) and nothing changes: returns {'0', '', {}, '0', 1}.
-- ARGV: nowMs, scope (sso | client), clientId (the token's aud), tombstoneTtlMs,
-- revocationSeconds (the revocation time of SPEC §3.2: the logout token's iat, the admin action's
-- time; whole seconds), onlySub (optional; '' = the whole SSO session), onlySub as SUB_FIELD stores
-- it (IndexEncoding.storedId; optional, default onlySub): a stored user in either form is onlySub,
-- audience (optional; the client of the logout token, '' = none, e.g. an admin action),
-- fanOutMs (session-broker.sessions.logout-fan-out-window; optional, default 0).
-- The sub returned below is the SUB_FIELD as stored.
-- With onlySub (a revocation of that user): when the sid's verified user is onlySub, the whole
-- SSO session as without it; otherwise (no verified user, or another one) only the registrations
-- whose own user is onlySub (an app's claim, see register.lua), and no tombstone: an app's claim
-- must not let a revocation of one user end another user's SSO session.
-- Otherwise returns {revokedAtMs, sub, {field1, value1, field2, value2, ...}, generation} of the
-- affected registrations (values after this call). Affected includes registrations revoked by an
-- earlier call, so a retried revocation reports the same sessions. Registration values:
-- readRegistration and registrationValue in prelude.lua.
-- The tombstone (SidHash.Tombstone; tombstone and tombstoneValue in prelude.lua) holds when the
-- logout was recorded (kept, so a retry reports the same time; 0 after register.lua admitted a
-- session that started after it, so the next logout records its own), the latest revocation time
-- (only moves forward), which register.lua compares with a new session's start, and its
-- generation, which names the logout's events (RevocationService): a revocation whose time is
-- later than the recorded one is a NEW logout of the sid (Keycloak keeps the SSO session after a
-- client-only logout, and the user may sign in again without any registration), so it takes the
-- next generation and records its own time; one with the same or an earlier time (a retry, the
-- same token for another audience) repeats the recorded logout. One logout may still arrive as
-- several later revocations: in scope sso Keycloak sends each client of one logout its own token
-- with its own iat, and an operator may retry an admin request. So within fanOutMs after the
-- recorded logout was received, a later one repeats it, unless it is a token of a client whose
-- token this logout already had (LOGOUT_AUDIENCES_FIELD; then the user signed in again); after
-- that window every later one is a new logout. In scope client the tombstone is the client's own.
-- register.lua starts a new generation as well when it admits a session past the tombstone.
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then
  return {'0', '', {}, '0', 1}
end
local key, now, scope, aud, tombstoneTtl = KEYS[1], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local revocation = tonumber(ARGV[5])
local onlySub = ARGV[6] or ''
local onlySubStored = ARGV[7] or onlySub
local audience = ARGV[8] or ''
local fanOutMs = tonumber(ARGV[9] or '0')
local verifiedSub = redis.call('HGET', key, SUB_FIELD)
local wholeSid = onlySub == '' or verifiedSub == onlySub or verifiedSub == onlySubStored
local tombstoneField = TOMBSTONE_FIELD
if scope == 'client' then
  tombstoneField = clientTombstoneField(aud)
end
local revokedAt = now
local generation = 0
local old = wholeSid and redis.call('HGET', key, tombstoneField)
-- scope sso: the clients whose tokens asked for the recorded logout, each followed by SEP.
local audiences = nil
if wholeSid and scope == 'sso' then
  audiences = SEP
end
if old then
  local at, seconds, oldGeneration = tombstone(old)
  generation = oldGeneration
  if at ~= '0' then
    local repeated = revocation <= seconds
    -- Within the fan-out window after the recorded logout was received, a later one is part of it
    -- (another client's token of the same Keycloak logout, a retried admin request) unless it
    -- comes through a client whose token this logout already had: then the user signed in again.
    local withinFanOut = tonumber(now) - tonumber(at) <= fanOutMs
    if not repeated and withinFanOut then
      if audience == '' then
        repeated = true
      elseif audiences then
        local told = redis.call('HGET', key, LOGOUT_AUDIENCES_FIELD) or SEP
        repeated = not string.find(told, SEP .. audience .. SEP, 1, true)
      end
    end
    if repeated then
      revokedAt = at
      if audiences then
        audiences = redis.call('HGET', key, LOGOUT_AUDIENCES_FIELD) or SEP
      end
    else
      generation = oldGeneration + 1
    end
  end
  if seconds > revocation then
    revocation = seconds
  end
end
if wholeSid then
  redis.call('HSET', key, tombstoneField, tombstoneValue(revokedAt, revocation, generation))
end
if audiences then
  if audience ~= '' and not string.find(audiences, SEP .. audience .. SEP, 1, true) then
    audiences = audiences .. audience .. SEP
  end
  redis.call('HSET', key, LOGOUT_AUDIENCES_FIELD, audiences)
end
local sub = ''
local affected = {}
local all = redis.call('HGETALL', key)
for i = 1, #all, 2 do
  local field, value = all[i], all[i + 1]
  if field == SUB_FIELD then
    sub = value
  elseif isRegistrationField(field) then
    local client = clientOfField(field)
    -- claim: the user of a registration whose app claimed it (register.lua), else nil.
    local c, e, r, claim = readRegistration(value)
    local own = verifiedSub
    if claim then
      own = claim
    end
    if (scope == 'sso' or client == aud) and (wholeSid or own == onlySub or own == onlySubStored) then
      if r == NOT_REVOKED then
        value = registrationValue(c, e, encodeTime(tonumber(now)), claim)
        redis.call('HSET', key, field, value)
      end
      affected[#affected + 1] = field
      affected[#affected + 1] = value
    end
  end
end
if redis.call('PTTL', key) < tombstoneTtl then
  redis.call('PEXPIRE', key, tombstoneTtl)
end
return {revokedAt, sub, affected, string.format('%.0f', generation)}
