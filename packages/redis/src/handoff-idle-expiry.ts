import type { Redis } from 'ioredis';
import { LuaScript } from './redis-call.js';

// BullMQ's lists and sets that hold work still to do: while one exists the agent is not idle.
const pendingKinds = ['wait', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'] as const;
// BullMQ's bookkeeping of a queue: counters, markers, events, finished sets.
const bookkeepingKinds = ['id', 'stalled-check', 'completed', 'failed', 'stalled', 'repeat', 'limiter', 'meta', 'events', 'pc', 'marker', 'de'] as const;
// Failed jobs kept for inspection expire with the queue; bounded so the script stays short.
const maxFailedJobsTouched = 1_000;

// KEYS: the pending keys, then the bookkeeping keys (the failed set is among them).
// ARGV: ttl ms, number of pending keys, index of the failed set in KEYS, job key prefix, max failed jobs.
// Idle: every bookkeeping key (and each kept failed job) expires after the ttl. Busy: none expires.
const script = new LuaScript(`
local pending = tonumber(ARGV[2])
local busy = false
for i = 1, pending do
  if redis.call('EXISTS', KEYS[i]) == 1 then busy = true break end
end
local failed = redis.call('ZRANGE', KEYS[tonumber(ARGV[3])], 0, tonumber(ARGV[5]) - 1)
for i = pending + 1, #KEYS do
  if busy then redis.call('PERSIST', KEYS[i]) else redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
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
 * permanent again, so a task that waits never loses its queue's counters. Resolves to true when idle.
 */
export async function refreshIdleExpiry(client: Redis, keys: QueueKeyNames, ttlMs: number): Promise<boolean> {
  const named = (kind: string): string => {
    const key = keys[kind];
    if (key === undefined) throw new Error(`BullMQ queue has no "${kind}" key`);
    return key;
  };
  const bookkeeping = bookkeepingKinds.map(named);
  const reply = await script.run(client, [...pendingKinds.map(named), ...bookkeeping], [
    ttlMs,
    pendingKinds.length,
    pendingKinds.length + bookkeepingKinds.indexOf('failed') + 1,
    named(''),
    maxFailedJobsTouched,
  ]);
  return reply === 1;
}
