-- Registers one app session under an SSO session, atomically against its logout.
-- KEYS[1]: sid hash. ARGV: field, clientId, sub ('' = unknown), storedSub (the sub as SUB_FIELD
-- stores it: IndexEncoding.storedId, compact for a UUID; a stored user in either form is the same),
-- createdAtMs, expiresAtMs, nowMs, startSeconds (the session's start, SPEC §3.2; '-1' = unknown: any
-- logout of the sid refuses), subSource ('claimed': the app named the sub itself, explicit form;
-- else it comes from a verified ID token), maxPerSid (most registrations the sid hash may hold; a
-- new one past it is refused, an existing one is still updated).
-- Returns {status, createdAtMs, sub}; status: created | updated | revoked | sub_mismatch |
-- too_many_for_sid (nothing written). The sub
-- returned is the caller's own ('' when it gave none), never another client's.
-- A registration's value (SidHash.Registration, registrationValue in prelude.lua) holds a claimed
-- sub only for one the app described itself; one from an ID token has the sid's verified user.
-- The user rule: only a verified sub is written to SUB_FIELD, and it is the sid's user for everyone;
-- a claimed sub that contradicts it is refused (sub_mismatch, for the claiming caller only); a
-- claim is kept in the claimer's own registration and changes nothing other clients see.
-- The start-time rule: refused iff a tombstone covering it (the sid's, or in client scope this
-- client's) has a revocation time at or after the start (whole seconds; equal refuses).
local key, field, clientId, sub, storedForm = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local created, expires, now = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local start = tonumber(ARGV[8] or '-1')
local verified = ARGV[9] ~= 'claimed' and sub ~= ''
local maxPerSid = tonumber(ARGV[10])

-- Tombstones this session started after: admitted, it starts a new generation of each.
local passed = {}
for _, name in ipairs({TOMBSTONE_FIELD, clientTombstoneField(clientId)}) do
  local value = redis.call('HGET', key, name)
  if value then
    local _, revocation, generation = tombstone(value)
    if revocation >= start then
      return {'revoked', value, ''}
    end
    passed[#passed + 1] = {name, revocation, generation}
  end
end
local storedSub = redis.call('HGET', key, SUB_FIELD)
if storedSub and sub ~= '' and storedSub ~= sub and storedSub ~= storedForm then
  return {'sub_mismatch', '0', ''}
end
local status = 'created'
local existing = redis.call('HGET', key, field)
if existing then
  local c, _, r = readRegistration(existing)
  if r ~= NOT_REVOKED then
    return {'revoked', string.format('%.0f', decodeTime(r)), ''}
  end
  -- A retried registration keeps its first creation time.
  created = decodeTime(c)
  status = 'updated'
elseif redis.call('HLEN', key) >= maxPerSid then
  -- The hash also holds the broker's own fields: count registrations only when it may be full,
  -- which bounds this walk (and revoke_sid.lua's) by the cap. HGETALL, not HKEYS: the broker's
  -- ACL (docs/operations.md) allows the commands its scripts already use.
  local registrations = 0
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if isRegistrationField(all[i]) then
      registrations = registrations + 1
    end
  end
  if registrations >= maxPerSid then
    return {'too_many_for_sid', '0', ''}
  end
end
local claim = nil
if verified then
  if not storedSub then
    redis.call('HSET', key, SUB_FIELD, storedForm)
  end
else
  claim = sub
end
redis.call('HSET', key, field,
  registrationValue(encodeTime(created), encodeTime(expires), NOT_REVOKED, claim))
if status == 'created' then
  -- A later logout of this sid is a new revocation (revoke_sid.lua): a new generation, whose
  -- event is not taken for a repeat of the earlier one.
  for _, t in ipairs(passed) do
    redis.call('HSET', key, t[1], tombstoneValue(0, t[2], t[3] + 1))
  end
end
local ttl = expires - now
if redis.call('PTTL', key) < ttl then
  redis.call('PEXPIRE', key, ttl)
end
return {status, string.format('%.0f', created), sub}
