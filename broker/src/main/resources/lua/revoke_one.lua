-- Revokes or deletes one registration.
-- KEYS[1]: sid hash. ARGV: field, nowMs, mode (revoke | delete), notBeforeMs ('0' = any age).
-- Returns {status}: revoked | already_revoked | deleted | not_found | too_new.
-- Registration values are base-36 epoch ms (base36 in prelude.lua).
local key, field, now, mode, notBefore = KEYS[1], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local value = redis.call('HGET', key, field)
if not value then
  return {'not_found'}
end
if mode == 'delete' then
  redis.call('HDEL', key, field)
  return {'deleted'}
end
-- The tail is a claimed sub (",<sub>", see register.lua), kept as it is.
local c, e, r, tail = string.match(value, '^(%w+),(%w+),(%w+)(.*)$')
if r ~= '0' then
  return {'already_revoked'}
end
if notBefore > 0 and tonumber(c, 36) > notBefore then
  return {'too_new'}
end
redis.call('HSET', key, field, c .. ',' .. e .. ',' .. base36(tonumber(now)) .. tail)
return {'revoked'}
