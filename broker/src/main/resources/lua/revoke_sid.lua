-- Logs out one SSO session: writes its tombstone and marks its registrations revoked.
-- KEYS[1]: sid hash; KEYS[2] (optional): the processed-jti marker of the logout token that asks
-- for it, in the sid hash's slot (RedisKeys.processedJti): when it exists the token was processed
-- already (SPEC §4 replay guard) and nothing changes: returns {'0', '', {}, '0', 1}.
-- ARGV: nowMs, scope (sso | client), clientId (the token's aud), tombstoneTtlMs,
-- revocationSeconds (the revocation time of SPEC §3.2: the logout token's iat, the admin action's
-- time; whole seconds), onlySub (optional; '' = the whole SSO session), onlySub as '!sub' stores it
-- (IndexEncoding.storedId; optional, default onlySub): a stored '!sub' in either form is onlySub.
-- The sub returned below is the '!sub' as stored.
-- With onlySub (a revocation of that user): when the sid's verified '!sub' is onlySub, the whole
-- SSO session as without it; otherwise (no verified user, or another one) only the registrations
-- whose own user is onlySub (an app's claim, see register.lua), and no tombstone: an app's claim
-- must not let a revocation of one user end another user's SSO session.
-- Otherwise returns {revokedAtMs, sub, {field1, value1, field2, value2, ...}, generation} of the
-- affected registrations (values after this call). Affected includes registrations revoked by an
-- earlier call, so a retried revocation reports the same sessions. Registration values are base-36
-- epoch ms (base36 in prelude.lua).
-- The tombstone is "<revokedAtMs>,<revocationSeconds>,<generation>", decimal: when the logout was
-- first recorded (kept, so a retry reports the same time; 0 after register.lua admitted a session
-- that started after it, so the next logout records its own), the latest revocation time (only
-- moves forward), which register.lua compares with a new session's start, and how often
-- register.lua admitted a session past it (a logout after that is a new one, with its own event).
-- A tombstone of one number (written before revocation times were kept) is a receipt time in ms.
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then
  return {'0', '', {}, '0', 1}
end
local key, now, scope, aud, tombstoneTtl = KEYS[1], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local revocation = tonumber(ARGV[5])
local onlySub = ARGV[6] or ''
local onlySubStored = ARGV[7] or onlySub
local sep = '\31'
local verifiedSub = redis.call('HGET', key, '!sub')
local wholeSid = onlySub == '' or verifiedSub == onlySub or verifiedSub == onlySubStored
local tombstoneField = '!rev'
if scope == 'client' then
  tombstoneField = '!rev' .. sep .. aud
end
local revokedAt = now
local generation = 0
local old = wholeSid and redis.call('HGET', key, tombstoneField)
if old then
  local at, seconds, oldGeneration = tombstone(old)
  if at ~= '0' then
    revokedAt = at
  end
  generation = oldGeneration
  if seconds > revocation then
    revocation = seconds
  end
end
if wholeSid then
  redis.call('HSET', key, tombstoneField,
    revokedAt .. ',' .. string.format('%.0f', revocation) .. ',' .. string.format('%.0f', generation))
end
local sub = ''
local affected = {}
local all = redis.call('HGETALL', key)
for i = 1, #all, 2 do
  local field, value = all[i], all[i + 1]
  if field == '!sub' then
    sub = value
  elseif string.sub(field, 1, 1) ~= '!' then
    local client = string.match(field, '^([^\31]*)\31')
    -- tail: ",<sub>" of a registration whose app claimed its user (register.lua), else ''.
    local c, e, r, tail = string.match(value, '^(%w+),(%w+),(%w+)(.*)$')
    local own = verifiedSub
    if tail ~= '' then
      own = string.sub(tail, 2)
    end
    if (scope == 'sso' or client == aud) and (wholeSid or own == onlySub or own == onlySubStored) then
      if r == '0' then
        value = c .. ',' .. e .. ',' .. base36(tonumber(now)) .. tail
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
