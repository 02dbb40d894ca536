-- Moves a "revoked before" marker (a user's or a client's) forward, never back (SPEC §3.2):
-- concurrent revocations leave the latest time whatever order they arrive in.
-- KEYS[1]: marker (decimal epoch ms). ARGV: revocation time (epoch ms), ttlMs.
-- Returns 1 when the time was applied (later than or equal to the marker, or no marker), 0 when an
-- equal or later one was applied before and this one is older: it changes nothing.
local key, time, ttl = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local current = tonumber(redis.call('GET', key) or '')
if current and current > time then
  return 0
end
redis.call('SET', key, string.format('%.0f', time), 'PX', ttl)
return 1
