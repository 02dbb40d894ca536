-- wrk script: POSTs distinct pre-signed logout tokens as `logout_token` form fields.
-- Usage: wrk -t2 -c32 -d6s -s logout-tokens.lua http://127.0.0.1:PORT/backchannel-logout -- <prefix>
-- Thread i reads the tokens of <prefix>-<i>.txt (one a line) and sends each once; when they run out
-- it starts over and counts the reuse, which done() prints as "REUSED <n>" so the caller can reject
-- the round (a reused token is a replay, cheaper for a receiver that detects replays).
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  local file = assert(io.open(args[1] .. "-" .. id .. ".txt", "r"))
  for line in file:lines() do
    tokens[#tokens + 1] = line
  end
  file:close()
  next_token = 1
  reused = 0
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
end

function request()
  if next_token > #tokens then
    next_token = 1
    reused = reused + 1
  end
  local body = "logout_token=" .. tokens[next_token]
  next_token = next_token + 1
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("reused")
  end
  io.write(string.format("REUSED %d\n", total))
  io.write(string.format("LATENCY_P50_US %d\n", latency:percentile(50)))
  io.write(string.format("LATENCY_P99_US %d\n", latency:percentile(99)))
end
