import { LuaScript } from './redis-call.js';

/**
 * @internal Queues one direct message, unless the sender's id was already sent to this inbox within
 * the deduplication window. KEYS: inbox, sent ids (sorted set, score: when the id is forgotten).
 * ARGV: message JSON, sender id ('' for none), now, forgetAt, windowMs, inboxTtlMs.
 * Returns 1 when queued, 0 for a repeated id. Never decodes the message.
 */
export const sendScript = new LuaScript(`
if ARGV[2] ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
  if redis.call('ZSCORE', KEYS[2], ARGV[2]) then return 0 end
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
end
redis.call('RPUSH', KEYS[1], ARGV[1])
if tonumber(ARGV[6]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[6]) end
return 1
`);

/**
 * @internal Takes messages from an inbox into the in-flight hash under a receipt, so that a receive
 * whose reply never reaches the client loses nothing: until the receipt is acknowledged its messages
 * are kept, and once its redelivery time (server time) passes, the next receive puts them back at the
 * front of the inbox. KEYS: inbox, in-flight (hash field -> message), deadlines (sorted set field ->
 * redelivery time). ARGV: receipt id, limit (-1: all), redeliveryDelayMs, restore batch, inboxTtlMs.
 * Every loop is bounded by what it removes: the batch, or the messages it took.
 */
export const receiveScript = new LuaScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[5])
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
for index = #expired, 1, -1 do
  local text = redis.call('HGET', KEYS[2], expired[index])
  if text then redis.call('LPUSH', KEYS[1], text) end
  redis.call('HDEL', KEYS[2], expired[index])
  redis.call('ZREM', KEYS[3], expired[index])
end
if #expired > 0 and ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
local limit = tonumber(ARGV[2])
local texts
if limit < 0 then
  texts = redis.call('LRANGE', KEYS[1], 0, -1)
  redis.call('DEL', KEYS[1])
else
  texts = redis.call('LPOP', KEYS[1], limit)
  if not texts then texts = {} end
end
if #texts > 0 then
  local deadline = now + tonumber(ARGV[3])
  for index = 1, #texts do
    local field = ARGV[1] .. ':' .. string.format('%010d', index)
    redis.call('HSET', KEYS[2], field, texts[index])
    redis.call('ZADD', KEYS[3], deadline, field)
  end
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[2], ttl + tonumber(ARGV[3]))
    redis.call('PEXPIRE', KEYS[3], ttl + tonumber(ARGV[3]))
  end
end
return texts
`);

/** @internal The in-flight fields of a receipt that took `count` messages (as {@link receiveScript} names them). */
export function receiptFields(receiptId: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${receiptId}:${String(index + 1).padStart(10, '0')}`);
}

/**
 * @internal PUBLISH routed by its channel. KEYS: the topic channel (no key is touched: naming it
 * makes a Redis Cluster client send the call to the node of the channel's hash slot, so one
 * topic's messages always go out through one node, in publishing order). ARGV: message.
 */
export const publishScript = new LuaScript(`return redis.call('PUBLISH', KEYS[1], ARGV[1])`);
