-- Appends a revocation event to a client's stream exactly once per dedupe key.
-- The event id is chosen here, before XADD, so the stored JSON carries its own id and the
-- published message is byte-for-byte the stream entry.
-- KEYS[1]: stream, KEYS[2]: dedupe marker (same hash slot as the stream).
-- ARGV: JSON after the id member (e.g. '"type":"session.revoked",...}'), trimMinId, retentionMs,
-- origin (what caused it: a logout token's jti or an admin request id), channel (publish the
-- stored payload there from the script when it is new or a retry; '' = the caller publishes, as
-- in Redis Cluster where the channel's slot differs from the stream's).
-- Returns {id, json, appended (1 | 0), sameOrigin (1 | 0)}; json is false when a duplicate was
-- already trimmed. sameOrigin tells a retry of the same revocation (publish again, it may have
-- been lost) from another revocation of the same thing (already published: stay quiet).
local stream, marker = KEYS[1], KEYS[2]
local channel = ARGV[5] or ''
local marked = redis.call('GET', marker)
if marked then
  local existing, origin = string.match(marked, '^(%S+) ?(.*)$')
  local sameOrigin = 0
  if origin == ARGV[4] then
    sameOrigin = 1
  end
  local entries = redis.call('XRANGE', stream, existing, existing)
  if #entries > 0 then
    if sameOrigin == 1 and channel ~= '' then
      redis.call('PUBLISH', channel, entries[1][2][2])
    end
    return {existing, entries[1][2][2], 0, sameOrigin}
  end
  return {existing, false, 0, sameOrigin}
end
-- The id: the server's time, or just after the stream's last id when that is not older (several
-- appends in one millisecond, a clock behind the stream). The top entry tells the last id at the
-- cost of one entry read; only when the last generated id lies beyond it (that entry was deleted)
-- does XADD refuse the id, and then the stream's own record of it (XINFO) is read. Any other
-- refusal (OOM, MISCONF, READONLY...) goes back to the caller as Redis worded it, so that an
-- outage stays an outage (RedisFailures) and nothing is written.
local time = redis.call('TIME')
local ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local seq = 0
local function after(lastId)
  local lastMs, lastSeq = string.match(lastId, '^(%d+)-(%d+)$')
  if tonumber(lastMs) >= ms then
    ms = tonumber(lastMs)
    seq = tonumber(lastSeq) + 1
  end
end
local top = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
if #top > 0 then
  after(top[1][1])
end
local id = string.format('%.0f-%.0f', ms, seq)
local json = '{"v":1,"id":"' .. id .. '",' .. ARGV[1]
local added = redis.pcall('XADD', stream, 'MINID', '~', ARGV[2], id, 'event', json)
if type(added) == 'table' and added.err then
  if not string.find(added.err, 'ID specified in XADD is equal or smaller', 1, true) then
    return added
  end
  local info = redis.call('XINFO', 'STREAM', stream)
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      after(info[i + 1])
      break
    end
  end
  id = string.format('%.0f-%.0f', ms, seq)
  json = '{"v":1,"id":"' .. id .. '",' .. ARGV[1]
  redis.call('XADD', stream, 'MINID', '~', ARGV[2], id, 'event', json)
end
redis.call('PEXPIRE', stream, ARGV[3])
redis.call('SET', marker, id .. ' ' .. ARGV[4], 'PX', ARGV[3])
if channel ~= '' then
  redis.call('PUBLISH', channel, json)
end
return {id, json, 1, 1}
