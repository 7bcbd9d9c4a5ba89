// The Lua scripts of RedisSharedState: each write is one atomic step on the server.
import { LuaScript } from './redis-call.js';

// One HASH per entry: v version, u updatedAt, e expiresAt (absent: none), b updatedBy, d value (JSON).
// An entry past `e` on the store clock is treated as absent (version 0) even before Redis drops it.
const currentVersion = `
local function current(key, now)
  local fields = redis.call('HMGET', key, 'v', 'e')
  local version = tonumber(fields[1]) or 0
  local expiresAt = tonumber(fields[2])
  if version > 0 and expiresAt ~= nil and expiresAt <= now then return 0 end
  return version
end
`;

// The index of a scope is a sorted set: member = entry key, score = when Redis drops that entry
// (server time, ms), 0 for an entry without TTL. The index expires with its longest-lived entry,
// and lasts as long as any entry without TTL is in it; recomputed after every change, so an index
// never outlives its entries (one key per scope forever otherwise). Score 0 also keeps indexes
// written before scores meant anything: their entries are treated as never expiring.
const indexHelpers = `
local function serverNowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local function refreshIndexExpiry(index)
  if redis.call('EXISTS', index) == 0 then return end
  if redis.call('ZCOUNT', index, 0, 0) > 0 then
    redis.call('PERSIST', index)
    return
  end
  local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', index, string.format('%.0f', tonumber(last[2])))
end
`;

/**
 * @internal Set or compare-and-set, then publish the change. KEYS: entry, index. ARGV: mode
 * ('set'|'cas'), expected, value JSON, now, ttlMs|'', updatedBy|'', channel, graceMs, scope, scopeId, key.
 */
export const writeScript = new LuaScript(`${currentVersion}${indexHelpers}
local now = tonumber(ARGV[4])
local version = current(KEYS[1], now)
if ARGV[1] == 'cas' and version ~= tonumber(ARGV[2]) then return {0, version} end
local nextVersion = version + 1
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', nextVersion, 'u', ARGV[4], 'd', ARGV[3])
local expiresJson = ''
if ARGV[5] ~= '' then
  local expiresAt = now + tonumber(ARGV[5])
  local physical = tonumber(ARGV[5]) + tonumber(ARGV[8])
  redis.call('HSET', KEYS[1], 'e', expiresAt)
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', physical))
  redis.call('ZADD', KEYS[2], string.format('%.0f', serverNowMs() + physical), ARGV[11])
  expiresJson = ',"expiresAt":' .. string.format('%.17g', expiresAt)
else
  redis.call('ZADD', KEYS[2], 0, ARGV[11])
end
refreshIndexExpiry(KEYS[2])
local byJson = ''
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[1], 'b', ARGV[6])
  byJson = ',"updatedBy":' .. cjson.encode(ARGV[6])
end
local address = '"scope":' .. cjson.encode(ARGV[9]) .. ',"scopeId":' .. cjson.encode(ARGV[10]) .. ',"key":' .. cjson.encode(ARGV[11])
redis.call('PUBLISH', ARGV[7], '{"type":"set",' .. address .. ',"previousVersion":' .. version ..
  ',"entry":{' .. address .. ',"version":' .. nextVersion .. ',"updatedAt":' .. ARGV[4] .. expiresJson .. byJson .. ',"value":' .. ARGV[3] .. '}}')
return {1, nextVersion}`);

/** @internal Delete (optionally on a version), then publish. KEYS: entry, index. ARGV: expected|'', now, channel, scope, scopeId, key. */
export const deleteScript = new LuaScript(`${currentVersion}${indexHelpers}
local version = current(KEYS[1], tonumber(ARGV[2]))
if ARGV[1] ~= '' and version ~= tonumber(ARGV[1]) then return {0, version} end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[6])
refreshIndexExpiry(KEYS[2])
if version == 0 then return {1, 0} end
redis.call('PUBLISH', ARGV[3], '{"type":"delete","scope":' .. cjson.encode(ARGV[4]) .. ',"scopeId":' .. cjson.encode(ARGV[5]) ..
  ',"key":' .. cjson.encode(ARGV[6]) .. ',"previousVersion":' .. version .. ',"entry":null}')
return {1, version}`);

/**
 * @internal Live keys of a scope. KEYS: index. ARGV: entry key prefix, now, key prefix ('' for all).
 * Drops members whose entry is gone. The scores are expiry times, so members are not in key order
 * (no ZRANGEBYLEX): the loop visits each member of the index once and filters by prefix.
 */
export const keysScript = new LuaScript(`${currentVersion}${indexHelpers}
local now = tonumber(ARGV[2])
local keyPrefix = ARGV[3]
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local live = {}
local dropped = 0
for _, member in ipairs(members) do
  if string.sub(member, 1, #keyPrefix) == keyPrefix then
    local key = ARGV[1] .. member
    if redis.call('EXISTS', key) == 0 then
      redis.call('ZREM', KEYS[1], member)
      dropped = dropped + 1
    elseif current(key, now) > 0 then
      live[#live + 1] = member
    end
  end
end
if dropped > 0 then refreshIndexExpiry(KEYS[1]) end
return live`);
