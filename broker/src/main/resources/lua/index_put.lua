-- Adds an entry to an index bucket whose values start with the entry's expiry (a stored time,
-- decodeTime in prelude.lua, then a character that is no letter or digit; the rest is
-- IndexEncoding's), keeps the bucket alive as long as its longest entry, and sweeps expired
-- entries now and then (Redis 7.0 has no per-field TTL).
-- KEYS[1]: bucket hash. ARGV: field, value ("<stored expiresAt><separator>..."), expiresAtMs,
-- nowMs. Returns the bucket's entry count after the write (expired entries not yet swept
-- included): RegistrationHeadroom estimates a client's live registrations from it.
local key, field, value = KEYS[1], ARGV[1], ARGV[2]
local expires, now = tonumber(ARGV[3]), tonumber(ARGV[4])
local added = redis.call('HSET', key, field, value)
if added == 1 and redis.call('HLEN', key) % 64 == 0 then
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local entryExpiry = decodeTime(string.match(all[i + 1], '^(%w+)') or '')
    if entryExpiry and entryExpiry < now then
      redis.call('HDEL', key, all[i])
    end
  end
end
if redis.call('PTTL', key) < expires - now then
  redis.call('PEXPIRE', key, expires - now)
end
return redis.call('HLEN', key)
