// Contention: 50 agents update one blackboard key at once (the documented counter recipe, with
// `Blackboard.update`'s default options), in memory and on a real redis-server with one connection
// per agent. Every update must land, and none may take longer than the documented bound. The same
// run without backoff (the old default: 10 rounds, no wait) is measured beside it.
import { describe, expect, it } from 'vitest';
import { Blackboard, InMemorySharedState, StateConflictError, stateKey, type SharedState } from '@tta/agent-context';
import { RedisSharedState, createRedisConnection } from '@tta/redis';
import { record } from './figures.js';
import { redisChecksRun, useRedisServer } from './support/redis-server.js';

const writers = 50;
const trials = 5;
// `(maxAttempts - 1) × maxDelayMs` with the defaults (20 rounds, 250 ms): the most one call waits.
const documentedWaitBoundMs = 19 * 250;

interface Contention {
  readonly failed: number;
  readonly final: number | undefined;
  readonly mostRounds: number;
  readonly slowestMs: number;
}

async function contend(stores: readonly SharedState[], workflowId: string, options: { readonly maxAttempts?: number; readonly initialDelayMs?: number } = {}): Promise<Contention> {
  const visits = stateKey<number>('visits');
  const rounds: number[] = Array.from({ length: writers }, () => 0);
  const durations: number[] = [];
  const outcomes = await Promise.allSettled(
    Array.from({ length: writers }, async (_, index) => {
      const blackboard = new Blackboard(stores[index % stores.length]!, { workflowId, agentId: `agent-${index}` });
      const started = performance.now();
      try {
        return await blackboard.update(visits, (current) => {
          rounds[index]!++;
          return (current ?? 0) + 1;
        }, options);
      } finally {
        durations.push(performance.now() - started);
      }
    }),
  );
  for (const outcome of outcomes) if (outcome.status === 'rejected' && !StateConflictError.isInstance(outcome.reason)) throw outcome.reason;
  const final = await new Blackboard(stores[0]!, { workflowId }).get(visits);
  return { failed: outcomes.filter((outcome) => outcome.status === 'rejected').length, final, mostRounds: Math.max(...rounds), slowestMs: Math.max(...durations) };
}

describe('Blackboard.update under contention: 50 concurrent writers on one key', () => {
  it('in memory, every writer succeeds with the default options; without backoff 40 of them failed', async () => {
    const store = new InMemorySharedState();
    let mostRounds = 0;
    let slowestMs = 0;
    for (let trial = 0; trial < trials; trial++) {
      const run = await contend([store], `memory-${trial}`);
      expect(run.failed).toBe(0);
      expect(run.final).toBe(writers);
      expect(run.slowestMs).toBeLessThan(documentedWaitBoundMs + 1_000);
      mostRounds = Math.max(mostRounds, run.mostRounds);
      slowestMs = Math.max(slowestMs, run.slowestMs);
    }
    const unpaced = await contend([store], 'memory-unpaced', { maxAttempts: 10, initialDelayMs: 0 });
    expect(unpaced.failed).toBe(40);
    record('blackboardMemoryMostRounds', mostRounds);
    record('blackboardMemorySlowestMs', Math.round(slowestMs));
    record('blackboardMemoryUnpacedFailed', unpaced.failed);
  });

  describe.skipIf(!redisChecksRun())('on redis-server (RedisSharedState, one connection per writer)', () => {
    const redis = useRedisServer();

    it('every writer succeeds with the default options, within the documented bound', async () => {
      const connections = Array.from({ length: writers }, () => createRedisConnection({ host: '127.0.0.1', port: redis.server.port }));
      const stores = connections.map((connection) => new RedisSharedState({ connection, prefix: 'contention:' }));
      try {
        let mostRounds = 0;
        let slowestMs = 0;
        for (let trial = 0; trial < trials; trial++) {
          const run = await contend(stores, `redis-${trial}`);
          expect(run.failed).toBe(0);
          expect(run.final).toBe(writers);
          expect(run.slowestMs).toBeLessThan(documentedWaitBoundMs + 1_000);
          mostRounds = Math.max(mostRounds, run.mostRounds);
          slowestMs = Math.max(slowestMs, run.slowestMs);
        }
        const unpaced = await contend(stores, 'redis-unpaced', { maxAttempts: 10, initialDelayMs: 0 });
        expect(unpaced.final).toBe(writers - unpaced.failed);
        record('blackboardRedisMostRounds', mostRounds);
        record('blackboardRedisSlowestMs', Math.round(slowestMs));
        record('blackboardRedisUnpacedFailed', unpaced.failed);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
        for (const connection of connections) connection.disconnect();
      }
    });
  });
});
