// The Lua scripts of RedisAgentMemory. Two rules keep the server safe whatever the data or the
// interleaving of processes: every loop runs over a list fixed before it starts and removes each
// item it looks at, and no script decodes user JSON (cjson refuses lone surrogates, nesting deeper
// than 1000 and more, which would fail a script after it had written).
import { LuaScript } from './redis-call.js';

// Keys under the memory's base (ARGV[1]), all in one hash-tag slot:
//   entries  HASH id -> entry JSON (never read by a script)
//   order    ZSET id by storing sequence        seq  counter
//   refs     HASH id -> MessagePack list of the index keys the id is in (written by the script)
//   indexes  SET of index keys that hold at least one id, so clear() finds them without SCAN
//   agent:<id> / tag:<tag>  SETs of ids
const unindex = `
local function unindex(base, id)
  local refs = redis.call('HGET', base .. 'refs', id)
  if refs then
    for _, key in ipairs(cmsgpack.unpack(refs)) do
      redis.call('SREM', base .. key, id)
      if redis.call('EXISTS', base .. key) == 0 then redis.call('SREM', base .. 'indexes', key) end
    end
    redis.call('HDEL', base .. 'refs', id)
  end
  redis.call('ZREM', base .. 'order', id)
  return redis.call('HDEL', base .. 'entries', id)
end
`;

/**
 * @internal Stores one entry and evicts the oldest beyond the bound. ARGV: base, id, entry JSON,
 * maxEntries, agentId, tags... Returns the number of entries evicted.
 */
export const storeScript = new LuaScript(`${unindex}
local base, id = ARGV[1], ARGV[2]
unindex(base, id)
local seq = redis.call('INCR', base .. 'seq')
redis.call('HSET', base .. 'entries', id, ARGV[3])
redis.call('ZADD', base .. 'order', seq, id)
local refs = {'agent:' .. ARGV[5]}
for index = 6, #ARGV do refs[#refs + 1] = 'tag:' .. ARGV[index] end
for _, key in ipairs(refs) do
  redis.call('SADD', base .. key, id)
  redis.call('SADD', base .. 'indexes', key)
end
redis.call('HSET', base .. 'refs', id, cmsgpack.pack(refs))
-- ZPOPMIN removes exactly the ids it returns: the eviction ends after the excess, whatever the state.
local evicted = 0
local excess = redis.call('ZCARD', base .. 'order') - tonumber(ARGV[4])
if excess > 0 then
  local oldest = redis.call('ZPOPMIN', base .. 'order', excess)
  for index = 1, #oldest, 2 do evicted = evicted + unindex(base, oldest[index]) end
end
return evicted`);

/** @internal Deletes one entry with its index memberships. ARGV: base, id. Returns 1 or 0. */
export const deleteScript = new LuaScript(`${unindex}
return unindex(ARGV[1], ARGV[2])`);

/**
 * @internal Removes every key of the memory in one step, so no store() can interleave with it.
 * ARGV: base. The index keys come from the 'indexes' set, never from SCAN.
 */
export const clearScript = new LuaScript(`
local base = ARGV[1]
local keys = redis.call('SMEMBERS', base .. 'indexes')
-- Chunks keep each UNLINK's argument list far below Lua's unpack limit.
for first = 1, #keys, 500 do
  local chunk = {}
  for index = first, math.min(first + 499, #keys) do chunk[#chunk + 1] = base .. keys[index] end
  redis.call('UNLINK', unpack(chunk))
end
return redis.call('UNLINK', base .. 'entries', base .. 'order', base .. 'seq', base .. 'refs', base .. 'indexes')`);
