-- Prepended to every script by LuaScript (and the benchmark's RegistryLoader): helpers shared by
-- the scripts. Stored times are epoch milliseconds in base 36 (8 characters instead of 13); read
-- them back with tonumber(text, 36).
local function base36(n)
  local digits, s = '0123456789abcdefghijklmnopqrstuvwxyz', ''
  repeat
    local d = n % 36
    s = string.sub(digits, d + 1, d + 1) .. s
    n = (n - d) / 36
  until n == 0
  return s
end
-- A sid tombstone ("<revokedAtMs>,<revocationSeconds>,<generation>", see revoke_sid.lua): its
-- revokedAt (text), revocation time and generation (numbers).
local function tombstone(value)
  local at, seconds, generation = string.match(value, '^(%d+),(%d+),?(%d*)$')
  if at then
    return at, tonumber(seconds), tonumber(generation) or 0
  end
  return value, math.floor(tonumber(value) / 1000), 0
end
