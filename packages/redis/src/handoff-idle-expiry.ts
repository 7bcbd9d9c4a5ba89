import type { RedisClient } from './connection.js';
import { LuaScript } from './redis-call.js';

// BullMQ's lists and sets that hold work still to do: while one exists the agent is not idle.
const pendingKinds = ['wait', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'] as const;
// BullMQ's bookkeeping of a queue: counters, markers, events, finished sets.
const bookkeepingKinds = ['id', 'completed', 'failed', 'stalled', 'repeat', 'meta', 'events', 'pc', 'marker', 'de'] as const;
// Keys BullMQ gives short lifetimes of its own (the stalled check's and the rate limiter's guards):
// never made permanent, never lengthened, only shortened when idle. A PERSIST on `stalled-check`
// would stop the queue's stalled check for good, and abandoned tasks would never come back.
const selfExpiringKinds = ['stalled-check', 'limiter'] as const;
// Failed jobs kept for inspection expire with the queue; bounded so the script stays short.
const maxFailedJobsTouched = 1_000;

// KEYS: the pending keys, then the bookkeeping keys (the failed set is among them), then the self-expiring ones.
// ARGV: ttl ms, number of pending keys, index of the failed set in KEYS, job key prefix, max failed jobs,
// number of self-expiring keys (last in KEYS).
// Idle: every bookkeeping key (and each kept failed job) expires after the ttl. Busy: none expires.
const script = new LuaScript(`
local pending = tonumber(ARGV[2])
local selfExpiring = tonumber(ARGV[6])
local busy = false
for i = 1, pending do
  if redis.call('EXISTS', KEYS[i]) == 1 then busy = true break end
end
local failed = redis.call('ZRANGE', KEYS[tonumber(ARGV[3])], 0, tonumber(ARGV[5]) - 1)
for i = pending + 1, #KEYS - selfExpiring do
  if busy then redis.call('PERSIST', KEYS[i]) else redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
if not busy then
  for i = #KEYS - selfExpiring + 1, #KEYS do
    local left = redis.call('PTTL', KEYS[i])
    if left == -1 or left > tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
  end
end
for _, id in ipairs(failed) do
  local job = ARGV[4] .. id
  if busy then redis.call('PERSIST', job) redis.call('PERSIST', job .. ':logs')
  else redis.call('PEXPIRE', job, ARGV[1]) redis.call('PEXPIRE', job .. ':logs', ARGV[1]) end
end
return busy and 0 or 1
`);

/** @internal BullMQ's key names of one queue, as its `Queue#keys` gives them. */
export type QueueKeyNames = Readonly<Record<string, string>>;

/**
 * @internal Lets an agent's handoff queue expire once it holds no work: when nothing waits, runs or is
 * delayed, its bookkeeping keys (and kept failed tasks) live `ttlMs` more; otherwise they are made
 * permanent again, so a task that waits never loses its queue's counters. BullMQ's own short-lived guards
 * (`stalled-check`, `limiter`) are never made permanent, only shortened when idle. Resolves to true when idle.
 */
export async function refreshIdleExpiry(client: RedisClient, keys: QueueKeyNames, ttlMs: number): Promise<boolean> {
  const named = (kind: string): string => {
    const key = keys[kind];
    if (key === undefined) throw new Error(`BullMQ queue has no "${kind}" key`);
    return key;
  };
  const bookkeeping = bookkeepingKinds.map(named);
  const reply = await script.run(client, [...pendingKinds.map(named), ...bookkeeping, ...selfExpiringKinds.map(named)], [
    ttlMs,
    pendingKinds.length,
    pendingKinds.length + bookkeepingKinds.indexOf('failed') + 1,
    named(''),
    maxFailedJobsTouched,
    selfExpiringKinds.length,
  ]);
  return reply === 1;
}
