// The Lua scripts of RedisRunStore. Every key one script touches belongs to one run and shares its
// hash tag (`<prefix>durable:{<run id>}:...`), so each script is one atomic step on one Cluster slot.
//
// A run is a HASH (h header JSON, n name, s status, u updatedAt, c what the status carries as JSON,
// g usage JSON), a LIST (the journal, one JSON record per element) and a HASH for the lease (t token,
// o owner, e expiresAt). Times come from the store's clock (ARGV), like the other stores' expiries.
import { LuaScript } from '../redis-call.js';

// A finished run past its retention on the store clock is gone, even before Redis expires its keys.
// ARGV[#ARGV] of every script that uses it: retentionMs, or '' (runs kept forever).
const runHelpers = `
local function gone(run, now)
  if redis.call('EXISTS', run) == 0 then return true end
  local retention = ARGV[#ARGV]
  if retention == '' then return false end
  local fields = redis.call('HMGET', run, 's', 'u')
  local status = fields[1]
  if status ~= 'completed' and status ~= 'failed' and status ~= 'cancelled' then return false end
  return now - tonumber(fields[2]) >= tonumber(retention)
end
local function holds(lease, token, now)
  local fields = redis.call('HMGET', lease, 't', 'e')
  return fields[1] == token and tonumber(fields[2]) ~= nil and tonumber(fields[2]) > now
end
local function leaseIsLive(lease, now)
  local expiresAt = tonumber(redis.call('HGET', lease, 'e'))
  return expiresAt ~= nil and expiresAt > now
end
`;

/** @internal Creates the run unless it exists. KEYS: run, journal, lease. ARGV: header JSON, name, now, retention. Returns 1 (created) or 0. */
export const createRunScript = new LuaScript(`${runHelpers}
if not gone(KEYS[1], tonumber(ARGV[3])) then return 0 end
-- A run past its retention, or keys left by one whose hash expired a moment before them.
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'h', ARGV[1], 'n', ARGV[2], 's', 'running', 'u', ARGV[3])
return 1`);

/** @internal The run and its journal in one read. KEYS: run, journal. Returns [[h, s, u, c, g], [records...]]. */
export const loadRunScript = new LuaScript(`
return { redis.call('HMGET', KEYS[1], 'h', 's', 'u', 'c', 'g'), redis.call('LRANGE', KEYS[2], 0, -1) }`);

/** @internal Takes the lease unless a live owner holds it. KEYS: run, lease. ARGV: token, owner, now, leaseMs, retention. Returns 1, 0 (held) or -1 (no run). */
export const acquireLeaseScript = new LuaScript(`${runHelpers}
local now = tonumber(ARGV[3])
if gone(KEYS[1], now) then return -1 end
if leaseIsLive(KEYS[2], now) then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 't', ARGV[1], 'o', ARGV[2], 'e', tostring(now + tonumber(ARGV[4])))
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1`);

/** @internal Extends the lease the token holds. KEYS: run, lease. ARGV: token, now, leaseMs, retention. Returns 1, 0 (not held) or -1 (no run). */
export const renewLeaseScript = new LuaScript(`${runHelpers}
local now = tonumber(ARGV[2])
if gone(KEYS[1], now) then return -1 end
if not holds(KEYS[2], ARGV[1], now) then return 0 end
redis.call('HSET', KEYS[2], 'e', tostring(now + tonumber(ARGV[3])))
return 1`);

/** @internal Frees the lease if the token holds it. KEYS: lease. ARGV: token. */
export const releaseLeaseScript = new LuaScript(`
if redis.call('HGET', KEYS[1], 't') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`);

/** @internal Appends a record while the token holds the lease. KEYS: run, journal, lease. ARGV: token, now, record JSON, retention. Returns 1, 0 (not held) or -1 (no run). */
export const appendStepScript = new LuaScript(`${runHelpers}
if gone(KEYS[1], tonumber(ARGV[2])) then return -1 end
if not holds(KEYS[3], ARGV[1], tonumber(ARGV[2])) then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[1], 'u', ARGV[2])
-- A finished run kept for its retention: the journal goes with it.
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1`);

/**
 * @internal Sets the status: with a token, it must hold the lease; with '' the lease must be free.
 * A finished status starts the retention (PEXPIRE of every key of the run); any other ends it.
 * KEYS: run, journal, lease. ARGV: token|'', now, status, carried JSON|'', usage JSON|'', expire|'', retention
 * (expire: the retention to start, '' for a status that is not finished).
 * Returns 1, 0 (lease) or -1 (no run).
 */
export const setStatusScript = new LuaScript(`${runHelpers}
local now = tonumber(ARGV[2])
if gone(KEYS[1], now) then return -1 end
if ARGV[1] == '' then
  if leaseIsLive(KEYS[3], now) then return 0 end
elseif not holds(KEYS[3], ARGV[1], now) then
  return 0
end
redis.call('HSET', KEYS[1], 's', ARGV[3], 'u', ARGV[2])
if ARGV[4] == '' then redis.call('HDEL', KEYS[1], 'c') else redis.call('HSET', KEYS[1], 'c', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'g', ARGV[5]) end
for index = 1, 3 do
  if ARGV[6] == '' then redis.call('PERSIST', KEYS[index]) else redis.call('PEXPIRE', KEYS[index], ARGV[6]) end
end
return 1`);
