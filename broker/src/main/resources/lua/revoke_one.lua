-- Revokes or deletes one registration.
-- KEYS[1]: sid hash. ARGV: field, nowMs, mode (revoke | delete), notBeforeMs ('0' = any age).
-- Returns {status}: revoked | already_revoked | deleted | not_found | too_new.
-- Registration values: readRegistration and registrationValue in prelude.lua.
local key, field, now, mode, notBefore = KEYS[1], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local value = redis.call('HGET', key, field)
if not value then
  return {'not_found'}
end
if mode == 'delete' then
  redis.call('HDEL', key, field)
  return {'deleted'}
end
-- A claimed sub (see register.lua) is kept as it is.
local c, e, r, claim = readRegistration(value)
if r ~= NOT_REVOKED then
  return {'already_revoked'}
end
if notBefore > 0 and decodeTime(c) > notBefore then
  return {'too_new'}
end
redis.call('HSET', key, field, registrationValue(c, e, encodeTime(tonumber(now)), claim))
return {'revoked'}
