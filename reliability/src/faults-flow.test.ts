// Fault matrix of the flow-control primitives (bulkhead, rate limit, hedge, cache) and of parallel
// branches: each cell injects one fault and asserts the outcome, the number of inner calls, and that
// cancellation reaches every branch and hedged attempt, with nothing left behind.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  BulkheadRejectedError,
  ParallelPrimitive,
  RateLimitExceededError,
  TimeoutError,
  WorkflowContext,
  bulkhead,
  cache,
  hedge,
  parallel,
  rateLimit,
  timeout,
  type AnyPrimitive,
} from '@tta/primitives';
import { AgentCoordinationPrimitive, AgentTimeoutError, defineAgent } from '@tta/agent-context';
import { describeFaultMatrix, flush, fulfilment, probe, rejection, type FaultCell } from './support/fault-harness.js';

const boom = (label: string): Error => new Error(`injected ${label}`);
const callerReason = (): Error => new Error('caller aborted');

const bulkheadCells: FaultCell[] = [
  {
    primitive: 'bulkhead',
    fault: 'sync throw in the step',
    expected: 'the same error, the slot released',
    run: async ({ context, settle }) => {
      const error = boom('throw');
      const limited = bulkhead(probe('throws', { kind: 'throw', error }).primitive, { maxConcurrent: 1 });
      expect(rejection(await settle(limited.execute(context, 1)))).toBe(error);
      await flush();
      expect(limited.inFlight).toBe(0);
    },
  },
  {
    primitive: 'bulkhead',
    fault: 'rejected promise while another call is queued',
    expected: 'the error for the first, the queued call then runs',
    run: async ({ context, settle }) => {
      const error = boom('reject');
      const inner = probe('rejects-then-ok', { kind: 'reject', error }, { kind: 'ok', value: 'second' });
      const limited = bulkhead(inner.primitive, { maxConcurrent: 1, maxQueue: 1 });
      const [first, second] = await Promise.all([settle(limited.execute(context, 1)), settle(limited.execute(context, 2))]);
      expect(rejection(first)).toBe(error);
      expect(fulfilment(second)).toBe('second');
      expect(limited.stats()).toMatchObject({ inFlight: 0, queued: 0, admitted: 2 });
    },
  },
  {
    primitive: 'bulkhead',
    fault: 'full (never-settling occupant, queue full)',
    expected: 'BulkheadRejectedError for the third call; the inner step called once',
    run: async ({ controller, context, settle }) => {
      const inner = probe('cooperative', { kind: 'hang-cooperative' });
      const limited = bulkhead(inner.primitive, { maxConcurrent: 1, maxQueue: 1 });
      const occupant = settle(limited.execute(context, 1));
      const queued = settle(limited.execute(context, 2));
      const rejected = rejection(await settle(limited.execute(context, 3)));
      expect(BulkheadRejectedError.isInstance(rejected)).toBe(true);
      expect(inner.calls).toBe(1);
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await occupant)).toBe(reason);
      expect(rejection(await queued)).toBe(reason);
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'bulkhead',
    fault: 'never-settling step under a timeout',
    expected: 'TimeoutError; the slot is freed when the inner work answers its abort',
    run: async ({ context, settle, tick }) => {
      const inner = probe('cooperative', { kind: 'hang-cooperative' });
      const limited = bulkhead(inner.primitive, { maxConcurrent: 1 });
      const outcome = settle(timeout(limited, { timeoutMs: 50 }).execute(context, 1));
      await tick(50);
      expect(TimeoutError.isInstance(rejection(await outcome))).toBe(true);
      await flush();
      expect(limited.inFlight).toBe(0);
    },
  },
  {
    primitive: 'bulkhead',
    fault: 'abort before the call',
    expected: "the caller's reason, nothing admitted",
    run: async ({ controller, context, settle }) => {
      const reason = callerReason();
      controller.abort(reason);
      const limited = bulkhead(probe('never-called').primitive, { maxConcurrent: 1 });
      expect(rejection(await settle(limited.execute(context, 1)))).toBe(reason);
      expect(limited.stats().admitted).toBe(0);
    },
  },
  {
    primitive: 'bulkhead',
    fault: 'abort of a queued call',
    expected: "the caller's reason at once; the call leaves the queue and never runs",
    run: async ({ clock, newContext, settle, tick }) => {
      const inner = probe('slow', { kind: 'slow', ms: 100, value: 'first' });
      const limited = bulkhead(inner.primitive, { maxConcurrent: 1, maxQueue: 2 });
      const running = settle(limited.execute(newContext(), 1));
      const leaver = new AbortController();
      const queued = settle(limited.execute(new WorkflowContext({ clock, signal: leaver.signal }), 2));
      await flush();
      expect(limited.queued).toBe(1);
      const reason = callerReason();
      leaver.abort(reason);
      expect(rejection(await queued)).toBe(reason);
      expect(limited.queued).toBe(0);
      await tick(100);
      expect(fulfilment(await running)).toBe('first');
      expect(inner.calls).toBe(1);
      expect(limited.stats().abandoned).toBe(1);
    },
  },
  {
    primitive: 'bulkhead',
    fault: 'abort after success',
    expected: 'the value',
    run: async ({ controller, context, settle }) => {
      const limited = bulkhead(probe('ok', { kind: 'ok', value: 'fine' }).primitive, { maxConcurrent: 1 });
      const outcome = await settle(limited.execute(context, 1));
      controller.abort(callerReason());
      expect(fulfilment(outcome)).toBe('fine');
    },
  },
];

const rateCells: FaultCell[] = [
  {
    primitive: 'rateLimit',
    fault: 'sync throw in the step, then a call over the limit (reject mode)',
    expected: 'the error (the permit is spent), then RateLimitExceededError with retryAfterMs and no call',
    run: async ({ clock, newContext, settle }) => {
      const error = boom('throw');
      const inner = probe('throws', { kind: 'throw', error });
      const limited = rateLimit(inner.primitive, { tokensPerInterval: 1, intervalMs: 1_000, mode: 'reject', clock });
      expect(rejection(await settle(limited.execute(newContext(), 1)))).toBe(error);
      const denied = rejection(await settle(limited.execute(newContext(), 2)));
      expect(RateLimitExceededError.isInstance(denied)).toBe(true);
      expect((denied as RateLimitExceededError).retryAfterMs).toBeGreaterThan(0);
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'rateLimit',
    fault: 'rejected promise (reject mode)',
    expected: 'the same error',
    run: async ({ clock, context, settle }) => {
      const error = boom('reject');
      const limited = rateLimit(probe('rejects', { kind: 'reject', error }).primitive, { tokensPerInterval: 1, intervalMs: 1_000, mode: 'reject', clock });
      expect(rejection(await settle(limited.execute(context, 1)))).toBe(error);
    },
  },
  {
    primitive: 'rateLimit',
    fault: 'never-settling step under a timeout',
    expected: 'TimeoutError; the step signal aborted with it',
    run: async ({ clock, context, settle, tick }) => {
      const inner = probe('hangs', { kind: 'hang' });
      const outcome = settle(timeout(rateLimit(inner.primitive, { tokensPerInterval: 5, intervalMs: 1_000, mode: 'reject', clock }), { timeoutMs: 50 }).execute(context, 1));
      await tick(50);
      const error = rejection(await outcome);
      expect(TimeoutError.isInstance(error)).toBe(true);
      expect(inner.signals[0]!.reason).toBe(error);
    },
  },
  {
    primitive: 'rateLimit',
    fault: 'abort before the call',
    expected: "the caller's reason, no permit spent",
    run: async ({ clock, controller, context, settle }) => {
      const reason = callerReason();
      controller.abort(reason);
      const inner = probe('ok');
      const limited = rateLimit(inner.primitive, { tokensPerInterval: 1, intervalMs: 1_000, mode: 'reject', clock });
      expect(rejection(await settle(limited.execute(context, 1)))).toBe(reason);
      expect(inner.calls).toBe(0);
    },
  },
  {
    primitive: 'rateLimit',
    fault: 'abort during the wait for a permit (wait mode)',
    expected: "the caller's reason at once; the waiting call never runs",
    run: async ({ clock, controller, newContext, settle, tick }) => {
      const inner = probe('ok');
      const limited = rateLimit(inner.primitive, { tokensPerInterval: 1, intervalMs: 1_000, mode: 'wait', clock });
      expect(fulfilment(await settle(limited.execute(new WorkflowContext({ clock }), 1)))).toBe(1);
      const waiting = settle(limited.execute(newContext(), 2));
      await tick(100);
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await waiting)).toBe(reason);
      await tick(5_000);
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'rateLimit',
    fault: 'wait longer than maxWaitMs (wait mode)',
    expected: 'RateLimitExceededError without waiting',
    run: async ({ clock, newContext, settle }) => {
      const inner = probe('ok');
      const limited = rateLimit(inner.primitive, { tokensPerInterval: 1, intervalMs: 1_000, mode: 'wait', maxWaitMs: 10, clock });
      await settle(limited.execute(newContext(), 1));
      expect(RateLimitExceededError.isInstance(rejection(await settle(limited.execute(newContext(), 2))))).toBe(true);
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'rateLimit',
    fault: 'abort after success',
    expected: 'the value',
    run: async ({ clock, controller, context, settle }) => {
      const limited = rateLimit(probe('ok', { kind: 'ok', value: 'fine' }).primitive, { tokensPerInterval: 1, intervalMs: 1_000, mode: 'reject', clock });
      const outcome = await settle(limited.execute(context, 1));
      controller.abort(callerReason());
      expect(fulfilment(outcome)).toBe('fine');
    },
  },
];

const hedgeOptions = { delayMs: 100, maxHedges: 2 } as const;

const hedgeCells: FaultCell[] = [
  {
    primitive: 'hedge',
    fault: 'sync throw in every attempt',
    expected: 'the last error after 1 + maxHedges attempts (a failure hedges at once)',
    run: async ({ context, settle }) => {
      const errors = [boom('1'), boom('2'), boom('3')];
      const inner = probe('throws', ...errors.map((error) => ({ kind: 'throw', error }) as const));
      expect(rejection(await settle(hedge(inner.primitive, hedgeOptions).execute(context, 1)))).toBe(errors[2]);
      expect(inner.calls).toBe(3);
    },
  },
  {
    primitive: 'hedge',
    fault: 'rejected first attempt, second succeeds',
    expected: "the second attempt's value",
    run: async ({ context, settle }) => {
      const inner = probe('flaky', { kind: 'reject', error: boom('first') }, { kind: 'ok', value: 'second' });
      expect(fulfilment(await settle(hedge(inner.primitive, hedgeOptions).execute(context, 1)))).toBe('second');
      expect(inner.calls).toBe(2);
    },
  },
  {
    primitive: 'hedge',
    fault: 'never-settling attempts under a timeout',
    expected: 'TimeoutError; all three hedged attempts launched and every one sees its signal fire',
    run: async ({ context, settle, tick }) => {
      const inner = probe('hangs', { kind: 'hang' });
      const outcome = settle(timeout(hedge(inner.primitive, hedgeOptions), { timeoutMs: 1_000 }).execute(context, 1));
      await tick(1_000);
      const error = rejection(await outcome);
      expect(TimeoutError.isInstance(error)).toBe(true);
      expect(inner.calls).toBe(3);
      for (const signal of inner.signals) expect(signal.reason).toBe(error);
    },
  },
  {
    primitive: 'hedge',
    fault: 'slow first attempt, the hedge wins',
    expected: "the hedge's value; the losing attempt's signal fires with an AbortError",
    run: async ({ context, settle, tick }) => {
      const inner = probe('slow-then-fast', { kind: 'slow', ms: 1_000, value: 'slow' }, { kind: 'slow', ms: 10, value: 'fast' });
      const outcome = settle(hedge(inner.primitive, { delayMs: 100, maxHedges: 1 }).execute(context, 1));
      await tick(110);
      expect(fulfilment(await outcome)).toBe('fast');
      expect(inner.signals[0]!.aborted).toBe(true);
      expect((inner.signals[0]!.reason as DOMException).name).toBe('AbortError');
      expect(inner.signals[1]!.aborted).toBe(false);
    },
  },
  {
    primitive: 'hedge',
    fault: 'abort before the call',
    expected: "the caller's reason, no attempt",
    run: async ({ controller, context, settle }) => {
      const reason = callerReason();
      controller.abort(reason);
      const inner = probe('never-called');
      expect(rejection(await settle(hedge(inner.primitive, hedgeOptions).execute(context, 1)))).toBe(reason);
      expect(inner.calls).toBe(0);
    },
  },
  {
    primitive: 'hedge',
    fault: 'abort while two attempts are in flight',
    expected: "the caller's reason; both attempts' signals fire; no attempt after",
    run: async ({ controller, context, settle, tick }) => {
      const inner = probe('hangs', { kind: 'hang' });
      const outcome = settle(hedge(inner.primitive, hedgeOptions).execute(context, 1));
      await tick(100);
      expect(inner.calls).toBe(2);
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await outcome)).toBe(reason);
      for (const signal of inner.signals) expect(signal.reason).toBe(reason);
      await tick(10_000);
      expect(inner.calls).toBe(2);
    },
  },
  {
    primitive: 'hedge',
    fault: 'abort after success',
    expected: 'the value; no hedge launched later',
    run: async ({ controller, context, settle, tick }) => {
      const inner = probe('ok', { kind: 'ok', value: 'fine' });
      const outcome = await settle(hedge(inner.primitive, hedgeOptions).execute(context, 1));
      controller.abort(callerReason());
      await tick(1_000);
      expect(fulfilment(outcome)).toBe('fine');
      expect(inner.calls).toBe(1);
    },
  },
];

const cacheCells: FaultCell[] = [
  {
    primitive: 'cache',
    fault: 'sync throw in the step',
    expected: 'the error, nothing cached: the next call runs the step again',
    run: async ({ clock, newContext, settle }) => {
      const error = boom('throw');
      const inner = probe('throws-then-ok', { kind: 'throw', error }, { kind: 'ok', value: 'fresh' });
      const cached = cache(inner.primitive, { ttlMs: 1_000, clock });
      expect(rejection(await settle(cached.execute(newContext(), 'k')))).toBe(error);
      expect(fulfilment(await settle(cached.execute(newContext(), 'k')))).toBe('fresh');
      expect(fulfilment(await settle(cached.execute(newContext(), 'k')))).toBe('fresh');
      expect(inner.calls).toBe(2);
    },
  },
  {
    primitive: 'cache',
    fault: 'rejected promise with concurrent misses',
    expected: 'every caller gets the same error from a single call',
    run: async ({ clock, newContext, settle, tick }) => {
      const error = boom('reject');
      const inner = probe('slow', { kind: 'slow', ms: 10 });
      const failing = probe('fails-after-slow', { kind: 'reject', error });
      const cached = cache(inner.primitive.pipe(failing.primitive), { ttlMs: 1_000, clock });
      const outcomes = [1, 2, 3].map(() => settle(cached.execute(newContext(), 'k')));
      await tick(10);
      for (const outcome of await Promise.all(outcomes)) expect(rejection(outcome)).toBe(error);
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'cache',
    fault: 'never-settling step under a timeout',
    expected: 'TimeoutError; the abandoned run is aborted and the next call starts a fresh one',
    run: async ({ clock, newContext, settle, tick }) => {
      const inner = probe('hang-then-ok', { kind: 'hang' }, { kind: 'ok', value: 'fresh' });
      const cached = cache(inner.primitive, { ttlMs: 1_000, clock });
      const outcome = settle(timeout(cached, { timeoutMs: 50 }).execute(newContext(), 'k'));
      await tick(50);
      const error = rejection(await outcome);
      expect(TimeoutError.isInstance(error)).toBe(true);
      expect(inner.signals[0]!.reason).toBe(error);
      expect(fulfilment(await settle(cached.execute(newContext(), 'k')))).toBe('fresh');
    },
  },
  {
    primitive: 'cache',
    fault: 'abort before the call',
    expected: "the caller's reason, no call",
    run: async ({ clock, controller, context, settle }) => {
      const reason = callerReason();
      controller.abort(reason);
      const inner = probe('never-called');
      expect(rejection(await settle(cache(inner.primitive, { clock }).execute(context, 'k')))).toBe(reason);
      expect(inner.calls).toBe(0);
    },
  },
  {
    primitive: 'cache',
    fault: 'abort of one of two joined callers',
    expected: "the leaver gets its reason; the other caller still gets the value from the one call",
    run: async ({ clock, newContext, settle, tick }) => {
      const inner = probe('slow', { kind: 'slow', ms: 100, value: 'shared' });
      const cached = cache(inner.primitive, { ttlMs: 1_000, clock });
      const leaver = new AbortController();
      const leaving = settle(cached.execute(new WorkflowContext({ clock, signal: leaver.signal }), 'k'));
      const staying = settle(cached.execute(newContext(), 'k'));
      await flush();
      const reason = callerReason();
      leaver.abort(reason);
      expect(rejection(await leaving)).toBe(reason);
      await tick(100);
      expect(fulfilment(await staying)).toBe('shared');
      expect(inner.calls).toBe(1);
      expect(inner.signals[0]!.aborted).toBe(false);
    },
  },
  {
    primitive: 'cache',
    fault: 'abort of every caller during a miss',
    expected: "the run's signal fires with the caller's reason",
    run: async ({ clock, controller, newContext, settle }) => {
      const inner = probe('cooperative', { kind: 'hang-cooperative' });
      const cached = cache(inner.primitive, { ttlMs: 1_000, clock });
      const outcomes = [settle(cached.execute(newContext(), 'k')), settle(cached.execute(newContext(), 'k'))];
      await flush();
      const reason = callerReason();
      controller.abort(reason);
      for (const outcome of await Promise.all(outcomes)) expect(rejection(outcome)).toBe(reason);
      expect(inner.calls).toBe(1);
      expect(inner.signals[0]!.reason).toBe(reason);
    },
  },
  {
    primitive: 'cache',
    fault: 'abort after success',
    expected: 'the value stays cached',
    run: async ({ clock, controller, context, settle }) => {
      const inner = probe('ok', { kind: 'ok', value: 'cached' });
      const cached = cache(inner.primitive, { ttlMs: 1_000, clock });
      expect(fulfilment(await settle(cached.execute(context, 'k')))).toBe('cached');
      controller.abort(callerReason());
      expect(fulfilment(await settle(cached.execute(new WorkflowContext({ clock }), 'k')))).toBe('cached');
      expect(inner.calls).toBe(1);
    },
  },
];

const parallelCells: FaultCell[] = [
  {
    primitive: 'parallel',
    fault: 'one branch rejects (fail-fast)',
    expected: 'that error; every other branch sees its signal fire',
    run: async ({ context, settle }) => {
      const error = boom('branch');
      const branches = [probe('a', { kind: 'hang' }), probe('b', { kind: 'reject', error }), probe('c', { kind: 'hang-cooperative' })];
      const outcome = await settle(parallel(...(branches.map((branch) => branch.primitive) as [AnyPrimitive, AnyPrimitive, AnyPrimitive])).execute(context, 1));
      expect(rejection(outcome)).toBe(error);
      expect(branches[0]!.signals[0]!.aborted).toBe(true);
      expect(branches[2]!.signals[0]!.aborted).toBe(true);
    },
  },
  {
    primitive: 'parallel',
    fault: 'sync throw in a branch (settle mode)',
    expected: 'the outcome of every branch, the thrown error among them',
    run: async ({ context, settle }) => {
      const error = boom('branch');
      const primitive = new ParallelPrimitive([probe('a', { kind: 'ok', value: 'a' }).primitive, probe('b', { kind: 'throw', error }).primitive], { mode: 'settle' });
      const value = fulfilment(await settle(primitive.execute(context, 1))) as unknown as PromiseSettledResult<unknown>[];
      expect(value[0]).toMatchObject({ status: 'fulfilled', value: 'a' });
      expect(value[1]).toMatchObject({ status: 'rejected', reason: error });
    },
  },
  {
    primitive: 'parallel',
    fault: "caller's abort with nested branches",
    expected: "the caller's reason reaches every branch, nested ones included",
    run: async ({ controller, context, settle }) => {
      const leaves = [probe('a', { kind: 'hang-cooperative' }), probe('b', { kind: 'hang' }), probe('c', { kind: 'hang-cooperative' }), probe('d', { kind: 'hang' })];
      const [a, b, c, d] = leaves.map((leaf) => leaf.primitive) as [AnyPrimitive, AnyPrimitive, AnyPrimitive, AnyPrimitive];
      const outcome = settle(parallel(a, parallel(b, c), d).execute(context, 1));
      await flush();
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await outcome)).toBe(reason);
      for (const leaf of leaves) expect(leaf.signals[0]!.reason).toBe(reason);
    },
  },
];

const agents = (...probes: ReturnType<typeof probe>[]) => probes.map((agentProbe, index) => defineAgent({ id: `agent-${index}`, role: 'worker' }, agentProbe.primitive));

const coordinationCells: FaultCell[] = [
  {
    primitive: 'agentCoordination',
    fault: "caller's abort while every agent works (aggregate)",
    expected: "the caller's reason; every agent's signal fires with it",
    run: async ({ controller, context, settle }) => {
      const workers = [probe('a', { kind: 'hang' }), probe('b', { kind: 'hang-cooperative' }), probe('c', { kind: 'hang' })];
      const outcome = settle(new AgentCoordinationPrimitive({ agents: agents(...workers), strategy: 'aggregate' }).execute(context, 1));
      await flush();
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await outcome)).toBe(reason);
      for (const worker of workers) expect(worker.signals[0]!.reason).toBe(reason);
    },
  },
  {
    primitive: 'agentCoordination',
    fault: "the first answer wins ('first')",
    expected: "the winner's value; every losing agent's signal fires",
    run: async ({ context, settle, tick }) => {
      const losers = [probe('slow-1', { kind: 'hang' }), probe('slow-2', { kind: 'hang-cooperative' })];
      const winner = probe('fast', { kind: 'slow', ms: 10, value: 'fast answer' });
      const outcome = settle(new AgentCoordinationPrimitive({ agents: agents(losers[0]!, winner, losers[1]!), strategy: 'first' }).execute(context, 1));
      await tick(10);
      expect(JSON.stringify(fulfilment(await outcome))).toContain('fast answer');
      for (const loser of losers) expect(loser.signals[0]!.aborted).toBe(true);
    },
  },
  {
    primitive: 'agentCoordination',
    fault: 'never-settling agent past its timeoutMs (aggregate)',
    expected: "the stuck agent's signal fires with AgentTimeoutError; the others' answers still come back",
    run: async ({ clock, context, settle, tick }) => {
      const stuck = probe('stuck', { kind: 'hang' });
      const fine = probe('fine', { kind: 'ok', value: 'fine answer' });
      const outcome = settle(new AgentCoordinationPrimitive({ agents: agents(stuck, fine), strategy: 'aggregate', timeoutMs: 100, clock }).execute(context, 1));
      await tick(100);
      const value = fulfilment(await outcome);
      expect(JSON.stringify(value)).toContain('fine answer');
      expect(AgentTimeoutError.isInstance(stuck.signals[0]!.reason)).toBe(true);
    },
  },
];

const matrix: Record<string, FaultCell[]> = {
  bulkhead: bulkheadCells,
  rateLimit: rateCells,
  hedge: hedgeCells,
  cache: cacheCells,
  parallel: parallelCells,
  agentCoordination: coordinationCells,
};

describeFaultMatrix('fault matrix: flow-control primitives and parallel branches', matrix);

describe('findings of the fault matrix', () => {
  // Found here and fixed: AgentCoordinationPrimitive gave each stoppable agent ('first', timeoutMs,
  // requireAllSuccess) a context linked to the caller's signal, and an agent that read
  // `context.signal` and then finished normally left one listener there per call.
  it("coordination-agent-context-listener: a finished coordination leaves no listener on the caller's signal", async () => {
    const controller = new AbortController();
    const coordination = new AgentCoordinationPrimitive({ agents: agents(probe('a', { kind: 'ok', value: 1 }), probe('b', { kind: 'ok', value: 2 })), strategy: 'first' });
    for (let run = 0; run < 5; run++) await coordination.execute(new WorkflowContext({ signal: controller.signal }), run);
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
  });
});
