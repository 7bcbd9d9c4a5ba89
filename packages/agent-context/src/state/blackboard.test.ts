import { describe, it, expect, expectTypeOf } from 'vitest';
import { z } from 'zod';
import * as v from 'valibot';
import { InvalidInputError, InvalidOptionsError, ValidationError, type StandardSchemaV1 } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { Blackboard } from './blackboard.js';
import { InMemorySharedState } from './in-memory-shared-state.js';
import { stateKey, type StateKey } from './state-key.js';
import { StateConflictError } from '../errors/state-conflict-error.js';
import type { StateChange } from './shared-state.js';

const Plan = z.object({ steps: z.array(z.string().min(1)).min(1), owner: z.string() });
const plan = stateKey('plan', { schema: Plan });

function board(binding: ConstructorParameters<typeof Blackboard>[1] = { workflowId: 'run-1', sessionId: 'session-1', agentId: 'planner' }) {
  const store = new InMemorySharedState();
  return { store, blackboard: new Blackboard(store, binding) };
}

describe('Blackboard', () => {
  it('writes a valid value and reads it back typed', async () => {
    const { blackboard } = board();
    const entry = await blackboard.set(plan, { steps: ['research'], owner: 'planner' });
    expect(entry.version).toBe(1);
    const value = await blackboard.get(plan);
    expect(value?.steps[0]).toBe('research');
  });

  it("refuses an invalid value with the core's ValidationError listing every issue with its path, and writes nothing", async () => {
    const { blackboard, store } = board();
    const error = await blackboard.set(plan, { steps: [''], owner: 42 } as never).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    const validation = error as ValidationError;
    expect(validation.code).toBe('VALIDATION_FAILED');
    expect(validation.vendor).toBe('zod');
    expect(validation.retryable).toBe(false);
    expect(validation.issues.map((issue) => issue.path)).toEqual([['steps', 0], ['owner']]);
    expect(validation.issues.every((issue) => issue.message.length > 0)).toBe(true);
    expect(validation.subject).toBe('Blackboard: state "plan"');
    expect(validation.message).toMatch(/^Validation failed for Blackboard: state "plan": steps\[0\]: .*; owner: /);
    expect(await store.get(blackboard.address(plan))).toBeUndefined();
    await expect(blackboard.compareAndSet(plan, 0, { steps: [] as string[], owner: 'x' })).rejects.toSatisfy(ValidationError.isInstance);
  });

  it('validates with valibot as with zod, and awaits an asynchronous schema', async () => {
    const { blackboard } = board();
    const budget = stateKey('budget', { schema: v.object({ usd: v.pipe(v.number(), v.minValue(0)), currency: v.optional(v.string(), 'USD') }) });
    expectTypeOf(budget).toEqualTypeOf<StateKey<{ usd: number; currency: string }>>();
    await blackboard.set(budget, { usd: 5 } as never);
    expect(await blackboard.get(budget)).toEqual({ usd: 5, currency: 'USD' });
    const refused = await blackboard.set(budget, { usd: -1, currency: 'USD' }).catch((caught: unknown) => caught);
    expect((refused as ValidationError).vendor).toBe('valibot');
    expect((refused as ValidationError).issues.map((issue) => issue.path)).toEqual([['usd']]);
    const lowerCase: StandardSchemaV1<string, string> = {
      '~standard': { version: 1, vendor: 'custom', validate: async (value) => (typeof value === 'string' ? { value: value.toLowerCase() } : { issues: [{ message: 'not text' }] }) },
    };
    const name = stateKey('name', { schema: lowerCase });
    await blackboard.set(name, 'ADA');
    expect(await blackboard.get(name)).toBe('ada');
    await expect(blackboard.update(name, () => 42 as never)).rejects.toSatisfy(ValidationError.isInstance);
  });

  it('redacts credentials a schema echoed in its issue messages, keeping the issue itself', async () => {
    const stripeKey = `sk_live_${'aB3dE5fG7hJ9kL2mN4pQ6rS8'}`;
    const echo: StandardSchemaV1<string, string> = { '~standard': { version: 1, vendor: 'custom', validate: (value) => ({ issues: [{ message: `expected a number, got ${String(value)}`, path: ['token'] }] }) } };
    const error = (await board().blackboard.set(stateKey('token', { schema: echo }), stripeKey).catch((caught: unknown) => caught)) as ValidationError;
    expect(error.message).toBe('Validation failed for Blackboard: state "token": token: expected a number, got [REDACTED]');
    expect(error.issues[0]!.message).toContain(stripeKey);
  });

  it('stores the parsed value, so schema defaults and transforms apply', async () => {
    const { blackboard } = board();
    const settings = stateKey('settings', { schema: z.object({ retries: z.number().default(3), name: z.string().trim() }) });
    await blackboard.set(settings, { name: '  fast  ' } as never);
    expect(await blackboard.get(settings)).toEqual({ retries: 3, name: 'fast' });
  });

  it('resolves workflow, session and global scopes to the run, the session and everyone', async () => {
    const store = new InMemorySharedState();
    const runA = new Blackboard(store, { workflowId: 'run-a', sessionId: 'session-1' });
    const runB = new Blackboard(store, { workflowId: 'run-b', sessionId: 'session-1' });
    const otherSession = new Blackboard(store, { workflowId: 'run-c', sessionId: 'session-2' });
    const note = stateKey<string>('note');
    const preference = stateKey<string>('preference', { scope: 'session' });
    const feature = stateKey<boolean>('feature', { scope: 'global' });
    await runA.set(note, 'only run a');
    await runA.set(preference, 'dark mode');
    await runA.set(feature, true);
    expect(await runB.get(note)).toBeUndefined();
    expect(await runB.get(preference)).toBe('dark mode');
    expect(await otherSession.get(preference)).toBeUndefined();
    expect(await otherSession.get(feature)).toBe(true);
  });

  it('refuses session keys when the run has no session, with InvalidInputError', async () => {
    const { blackboard } = board({ workflowId: 'run-1' });
    await expect(blackboard.set(stateKey('p', { scope: 'session' }), 1)).rejects.toThrow(InvalidInputError);
    await expect(blackboard.set(stateKey('p', { scope: 'session' }), 1)).rejects.toThrow('Blackboard: "p" is session-scoped, but this context has no sessionId');
  });

  it('refuses a bad maxAttempts of update with InvalidOptionsError', async () => {
    const { blackboard } = board({ workflowId: 'run-1' });
    await expect(blackboard.update('n', () => 1, { maxAttempts: 0 })).rejects.toThrow(InvalidOptionsError);
    await expect(blackboard.update('n', () => 1, { maxAttempts: Object.create(null) as number })).rejects.toThrow(
      'Blackboard.update: option "maxAttempts" must be a positive integer (got an object)',
    );
  });

  it('stamps writes with the agent id and applies the key TTL', async () => {
    const clock = new ManualClock(0);
    const store = new InMemorySharedState({ clock });
    const blackboard = new Blackboard(store, { workflowId: 'run', agentId: 'scout' });
    const lease = stateKey<string>('lease', { ttlMs: 500 });
    const entry = await blackboard.set(lease, 'mine');
    expect(entry).toMatchObject({ updatedBy: 'scout', expiresAt: 500 });
    const longer = await blackboard.set(lease, 'mine', { ttlMs: 2_000 });
    expect(longer.expiresAt).toBe(2_000);
    clock.advance(2_000);
    expect(await blackboard.get(lease)).toBeUndefined();
  });

  it('update retries on conflict so that 50 concurrent increments all count', async () => {
    const { blackboard } = board();
    const counter = stateKey('counter', { schema: z.number().int() });
    await Promise.all(Array.from({ length: 50 }, () => blackboard.update(counter, (current) => (current ?? 0) + 1, { maxAttempts: 100 })));
    expect(await blackboard.get(counter)).toBe(50);
    expect((await blackboard.read(counter))?.version).toBe(50);
  });

  it('update with its default options lets 50 concurrent writers all succeed (the counter recipe)', async () => {
    const { blackboard } = board();
    const counter = stateKey('visits', { schema: z.number().int() });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => blackboard.update(counter, (current) => (current ?? 0) + 1)));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(await blackboard.get(counter)).toBe(50);
  });

  it('update gives up with the StateConflictError after maxAttempts', async () => {
    const { blackboard } = board();
    await blackboard.set('hot', 0);
    let rounds = 0;
    const error = await blackboard
      .update<number>('hot', async (current) => {
        rounds++;
        await blackboard.set('hot', (current ?? 0) + 100); // someone else writes in between, every time
        return (current ?? 0) + 1;
      }, { maxAttempts: 3 })
      .catch((caught: unknown) => caught);
    expect(StateConflictError.isInstance(error)).toBe(true);
    expect(rounds).toBe(3);
  });

  it('update waits between lost rounds, a jittered bound doubling from initialDelayMs up to maxDelayMs, on the binding clock', async () => {
    const clock = new ManualClock(0);
    const store = new InMemorySharedState({ clock });
    const blackboard = new Blackboard(store, { workflowId: 'run-1', clock, random: () => 0.999 });
    await blackboard.set('hot', 0);
    const roundsAt: number[] = [];
    const outcome = blackboard
      .update<number>('hot', async (current) => {
        roundsAt.push(clock.now());
        await blackboard.set('hot', (current ?? 0) + 100); // someone else writes in between, every time
        return (current ?? 0) + 1;
      }, { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 30 })
      .catch((caught: unknown) => caught);
    await clock.runAllAsync();
    expect(StateConflictError.isInstance(await outcome)).toBe(true);
    const waits = roundsAt.slice(1).map((at, index) => at - roundsAt[index]!);
    expect(waits.map((wait) => Math.round(wait))).toEqual([10, 20, 30, 30]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('update with a random source of 0 (or out of range) never waits longer than its bound', async () => {
    for (const draw of [0, -5, Number.NaN, 7]) {
      const clock = new ManualClock(0);
      const blackboard = new Blackboard(new InMemorySharedState({ clock }), { workflowId: 'run-1', clock, random: () => draw });
      await blackboard.set('hot', 0);
      let rounds = 0;
      const outcome = blackboard.update<number>('hot', async (current) => {
        rounds++;
        await blackboard.set('hot', (current ?? 0) + 100);
        return 1;
      }, { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 15 }).catch((caught: unknown) => caught);
      await clock.runAllAsync();
      expect(StateConflictError.isInstance(await outcome)).toBe(true);
      expect(rounds).toBe(4);
      expect(clock.now()).toBeLessThanOrEqual(3 * 15);
    }
  });

  it('update stops waiting when its signal or the blackboard signal aborts, with the reason, and leaves no timer', async () => {
    for (const where of ['call', 'binding'] as const) {
      const clock = new ManualClock(0);
      const controller = new AbortController();
      const binding = { workflowId: 'run-1', clock, random: () => 0.5, ...(where === 'binding' ? { signal: controller.signal } : {}) };
      const blackboard = new Blackboard(new InMemorySharedState({ clock }), binding);
      await blackboard.set('hot', 0);
      let rounds = 0;
      const outcome = blackboard.update<number>('hot', async (current) => {
        rounds++;
        await blackboard.set('hot', (current ?? 0) + 100);
        return 1;
      }, where === 'call' ? { signal: controller.signal } : {}).catch((caught: unknown) => caught);
      await clock.tickAsync(0);
      expect(clock.pendingTimers).toBe(1);
      const reason = new Error(`stop (${where})`);
      controller.abort(reason);
      expect(await outcome).toBe(reason);
      expect(rounds).toBe(1);
      expect(clock.pendingTimers).toBe(0);
    }
  });

  it('update refuses to start on an aborted signal and refuses bad backoff options with InvalidOptionsError', async () => {
    const { blackboard } = board();
    const reason = new Error('cancelled');
    await expect(blackboard.update('n', () => 1, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await blackboard.get('n')).toBeUndefined();
    await expect(blackboard.update('n', () => 1, { initialDelayMs: -1 })).rejects.toThrow('Blackboard.update: option "initialDelayMs" must be a finite number of milliseconds, 0 or more (got -1)');
    await expect(blackboard.update('n', () => 1, { initialDelayMs: 10, maxDelayMs: 5 })).rejects.toThrow('Blackboard.update: option "maxDelayMs" must be a number of milliseconds from initialDelayMs (10) to 2147483647 (got 5)');
    await expect(blackboard.update('n', () => 1, { maxDelayMs: Number.POSITIVE_INFINITY })).rejects.toThrow(InvalidOptionsError);
    await expect(blackboard.update('n', () => 1, { signal: 'stop' as never })).rejects.toThrow('Blackboard.update: option "signal" must be an AbortSignal (got "stop")');
  });

  it('compare-and-set through the blackboard names the key and both versions on conflict', async () => {
    const { blackboard } = board();
    await blackboard.set('status', 'draft');
    const error = (await blackboard.compareAndSet('status', 0, 'mine').catch((caught: unknown) => caught)) as StateConflictError;
    expect(error.key).toBe('workflow:run-1:status');
    expect([error.expectedVersion, error.actualVersion]).toEqual([0, 1]);
  });

  it('subscribes to one key of the run and stops on dispose', async () => {
    const { blackboard, store } = board();
    const changes: StateChange<unknown>[] = [];
    const subscription = await blackboard.subscribe('status', (change) => changes.push(change));
    await blackboard.set('status', 'a');
    await blackboard.set('other', 'x');
    await new Blackboard(store, { workflowId: 'run-2' }).set('status', 'other run');
    await blackboard.delete('status');
    subscription.dispose();
    await blackboard.set('status', 'after dispose');
    expect(changes.map((change) => [change.type, change.entry?.value])).toEqual([['set', 'a'], ['delete', undefined]]);
  });

  it('lists the keys of a scope', async () => {
    const { blackboard } = board();
    await blackboard.set('b', 1);
    await blackboard.set('a', 1);
    await blackboard.set(stateKey('g', { scope: 'global' }), 1);
    expect(await blackboard.keys()).toEqual(['a', 'b']);
    expect(await blackboard.keys('global', 'g')).toEqual(['g']);
  });
});

describe('stateKey with a hostile schema', () => {
  it('refuses a schema that throws when read with InvalidOptionsError naming the option, its error as cause', () => {
    const crashed = new Error('getter');
    const throwing = { get '~standard'(): never { throw crashed; } };
    expect(() => stateKey('k', { schema: throwing as never })).toThrow(InvalidOptionsError);
    expect(() => stateKey('k', { schema: throwing as never })).toThrow('stateKey: option "schema" cannot be read (an Error)');
    const error = (() => {
      try {
        stateKey('k', { schema: throwing as never });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect((error as Error).cause).toBe(crashed);
  });
});

describe('new Blackboard', () => {
  it('refuses a store that declares no specificationVersion, like AgentContext does', () => {
    const { specificationVersion: _version, ...unversioned } = Object.getOwnPropertyDescriptors(new InMemorySharedState());
    const store = Object.create(InMemorySharedState.prototype, unversioned) as InMemorySharedState;
    expect(() => new Blackboard(store, { workflowId: 'run-1' })).toThrow(InvalidOptionsError);
    expect(() => new Blackboard(store, { workflowId: 'run-1' })).toThrow(/Blackboard: option "store\.specificationVersion" must be 1/);
  });

  it('refuses a missing store or a binding without a workflowId with InvalidOptionsError naming it', () => {
    const store = new InMemorySharedState();
    expect(() => new Blackboard(undefined as never, { workflowId: 'run-1' })).toThrow(/Blackboard: option "store" must be a SharedState/);
    expect(() => new Blackboard(store, undefined as never)).toThrow(InvalidOptionsError);
    expect(() => new Blackboard(store, { workflowId: '' })).toThrow(/Blackboard: option "workflowId" must be a non-empty string/);
    expect(() => new Blackboard(store, { workflowId: 'run-1', random: 0.5 as never })).toThrow(/option "random" must be a function/);
  });
});

describe('stateKey', () => {
  it('defaults to the workflow scope and refuses bad definitions with InvalidOptionsError', () => {
    expect(stateKey('k')).toEqual({ key: 'k', scope: 'workflow', schema: undefined, ttlMs: undefined });
    const refusals: Array<[() => unknown, string]> = [
      [() => stateKey(''), 'stateKey: option "key" must be a non-empty string (got "")'],
      [() => stateKey('k', { scope: 'planet' as never }), 'stateKey: option "scope" must be \'workflow\', \'session\' or \'global\' (got "planet")'],
      [() => stateKey('k', { scope: Object.create(null) as never }), 'stateKey: option "scope" must be \'workflow\', \'session\' or \'global\' (got an object)'],
      [() => stateKey('k', { ttlMs: -1 }), 'stateKey: option "ttlMs" must be a positive number (got -1)'],
      [() => stateKey('k', null as never), 'stateKey: option "options" must be an object when given (got null)'],
      [() => stateKey('k', { schema: { parse: () => 1 } as never }), 'stateKey: option "schema" must be a Standard Schema v1 object, such as a zod, valibot or arktype schema'],
    ];
    for (const [attempt, message] of refusals) {
      expect(attempt).toThrow(InvalidOptionsError);
      expect(attempt).toThrow(message);
    }
  });
});
