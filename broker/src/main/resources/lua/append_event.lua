-- Appends a revocation event to a client's stream exactly once per dedupe key.
-- Redis chooses the entry id (XADD *: strictly increasing per stream, also within one millisecond
-- and after a deleted last entry); the entry id is the event id. The entry stores the event JSON
-- without its id; the published and returned message is the event JSON with it, byte for byte
-- what a reader rebuilds from the entry (EventEntry.eventJson).
-- KEYS[1]: stream, KEYS[2]: dedupe marker (same hash slot as the stream).
-- ARGV: JSON after the members of EVENT_HEAD (e.g. '"type":"session.revoked",...}'), trimMinId,
-- retentionMs, origin (what caused it: a logout token's jti or an admin request id), channel
-- (publish the event there from the script when it is new or a retry; '' = the caller publishes,
-- as in Redis Cluster where the channel's slot differs from the stream's).
-- Returns {id, json, appended (1 | 0), sameOrigin (1 | 0)}; json is false when a duplicate was
-- already trimmed. sameOrigin tells a retry of the same revocation (publish again, it may have
-- been lost) from another revocation of the same thing (already published: stay quiet).
-- A refusal of XADD (OOM, MISCONF, READONLY...) ends the script with Redis's own error before
-- anything is written, so that an outage stays an outage (RedisFailures).
local stream, marker = KEYS[1], KEYS[2]
local channel = ARGV[5] or ''

-- The event JSON of an entry: its stored JSON with the id member after EVENT_HEAD. Entries of
-- older brokers hold the id already; the entry id replaces it. An entry in neither layout (not
-- written by the broker) is returned as stored.
local function eventJson(id, stored)
  if string.sub(stored, 1, #EVENT_HEAD) ~= EVENT_HEAD then
    return stored
  end
  local rest = string.sub(stored, #EVENT_HEAD + 1)
  if string.sub(rest, 1, #EVENT_ID_MEMBER) == EVENT_ID_MEMBER then
    local close = string.find(rest, '"', #EVENT_ID_MEMBER + 1, true)
    if not close or string.sub(rest, close, close + 1) ~= '",' then
      return stored
    end
    rest = string.sub(rest, close + 2)
  end
  return EVENT_HEAD .. EVENT_ID_MEMBER .. id .. '",' .. rest
end

local marked = redis.call('GET', marker)
if marked then
  local existing, origin = string.match(marked, '^(%S+) ?(.*)$')
  local sameOrigin = 0
  if origin == ARGV[4] then
    sameOrigin = 1
  end
  local entries = redis.call('XRANGE', stream, existing, existing)
  if #entries > 0 then
    local json = eventJson(existing, entries[1][2][2])
    if sameOrigin == 1 and channel ~= '' then
      redis.call('PUBLISH', channel, json)
    end
    return {existing, json, 0, sameOrigin}
  end
  return {existing, false, 0, sameOrigin}
end
local id = redis.pcall('XADD', stream, 'MINID', '~', ARGV[2], '*', EVENT_FIELD,
  EVENT_HEAD .. ARGV[1])
if type(id) == 'table' and id.err then
  return id
end
local json = EVENT_HEAD .. EVENT_ID_MEMBER .. id .. '",' .. ARGV[1]
redis.call('PEXPIRE', stream, ARGV[3])
redis.call('SET', marker, id .. ' ' .. ARGV[4], 'PX', ARGV[3])
if channel ~= '' then
  redis.call('PUBLISH', channel, json)
end
return {id, json, 1, 1}
