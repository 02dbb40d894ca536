-- Prepended to every script by LuaScript (also for the benchmark's RegistryLoader), after the
-- layout constants generated from io.sessionbroker.broker.store.SidHash (SEP, SUB_FIELD,
-- TOMBSTONE_FIELD, LOGOUT_AUDIENCES_FIELD, RESERVED_PREFIX, VALUE_SEP, VALUE_SEP_PATTERN, NOT_REVOKED, TIME_RADIX): the one
-- place in Lua that reads and writes sid hash fields and values; SidHash describes their layout.

-- Stored times are epoch milliseconds in base TIME_RADIX (RedisKeys.encodeTime): 8 characters
-- instead of 13.
local function encodeTime(n)
  local digits, s = '0123456789abcdefghijklmnopqrstuvwxyz', ''
  repeat
    local d = n % TIME_RADIX
    s = string.sub(digits, d + 1, d + 1) .. s
    n = (n - d) / TIME_RADIX
  until n == 0
  return s
end
-- nil when text is no stored time.
local function decodeTime(text)
  return tonumber(text, TIME_RADIX)
end

-- Whether a sid hash field is a registration's (SidHash.registrationField), not the broker's own.
local function isRegistrationField(field)
  return string.sub(field, 1, #RESERVED_PREFIX) ~= RESERVED_PREFIX
end
-- The client id of a registration field; nil when it has no separator.
local function clientOfField(field)
  local at = string.find(field, SEP, 1, true)
  if at then
    return string.sub(field, 1, at - 1)
  end
  return nil
end
-- The tombstone field of one client's logout of the SSO session (client scope).
local function clientTombstoneField(clientId)
  return TOMBSTONE_FIELD .. SEP .. clientId
end

-- The field of a user's logout record (RedisKeys.userLogout) that remembers which logout the
-- revocation id origin was taken for (user_logout.lua).
local function logoutOriginField(origin)
  return LOGOUT_ORIGIN_FIELD .. SEP .. origin
end

-- A registration value (SidHash.Registration): created, expires and revokedAt as stored (base-36
-- texts; revokedAt is NOT_REVOKED while active), and the claimed sub: nil for a registration from
-- an ID token, whose user is the sid's SUB_FIELD; '' when its app named no user.
local REGISTRATION_PATTERN =
  '^(%w+)' .. VALUE_SEP_PATTERN .. '(%w+)' .. VALUE_SEP_PATTERN .. '(%w+)(.*)$'
local function readRegistration(value)
  local created, expires, revokedAt, tail = string.match(value, REGISTRATION_PATTERN)
  local claim = nil
  if tail and tail ~= '' then
    claim = string.sub(tail, #VALUE_SEP + 1)
  end
  return created, expires, revokedAt, claim
end
-- The inverse of readRegistration: texts as stored, claim nil for none.
local function registrationValue(created, expires, revokedAt, claim)
  local value = created .. VALUE_SEP .. expires .. VALUE_SEP .. revokedAt
  if claim then
    value = value .. VALUE_SEP .. claim
  end
  return value
end

-- A sid tombstone (SidHash.Tombstone): its revokedAt (decimal text), revocation time and
-- generation (numbers). A tombstone of one number is a receipt time in ms.
local TOMBSTONE_PATTERN =
  '^(%d+)' .. VALUE_SEP_PATTERN .. '(%d+)' .. VALUE_SEP_PATTERN .. '?(%d*)$'
local function tombstone(value)
  local at, seconds, generation = string.match(value, TOMBSTONE_PATTERN)
  if at then
    return at, tonumber(seconds), tonumber(generation) or 0
  end
  return value, math.floor(tonumber(value) / 1000), 0
end
-- The inverse of tombstone: each part a number or a decimal text.
local function tombstoneValue(revokedAt, revocationSeconds, generation)
  return string.format('%.0f', revokedAt) .. VALUE_SEP .. string.format('%.0f', revocationSeconds)
    .. VALUE_SEP .. string.format('%.0f', generation)
end
