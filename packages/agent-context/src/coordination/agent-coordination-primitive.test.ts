import { getEventListeners } from 'node:events';
import { describe, it, expect, expectTypeOf } from 'vitest';
import { DeadlineExceededError, InvalidInputError, InvalidOptionsError, WorkflowContext } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';
import { AgentCoordinationPrimitive, type AgentOutcome } from './agent-coordination-primitive.js';
import { AgentContext } from '../context/agent-context.js';
import { defineAgent, type AgentDefinition } from '../context/define-agent.js';
import { AgentTimeoutError } from '../errors/agent-timeout-error.js';
import { CoordinationError } from '../errors/coordination-error.js';

/** An agent that answers with `value` (or fails with `error`) after `delayMs` on `clock`, and records its signal. */
function agent<TOutput>(id: string, behaviour: { value?: TOutput; error?: Error; delayMs?: number; ignoresSignal?: boolean }, clock: ManualClock, signals: Map<string, AbortSignal>) {
  return defineAgent<string, TOutput>({ id, role: 'analyst' }, (_input, context) => {
    signals.set(id, context.signal);
    return new Promise<TOutput>((resolve, reject) => {
      const finish = (): void => {
        context.signal.removeEventListener('abort', onAbort);
        if (behaviour.error !== undefined) reject(behaviour.error);
        else resolve(behaviour.value as TOutput);
      };
      const handle = clock.setTimeout(finish, behaviour.delayMs ?? 0);
      const onAbort = (): void => {
        if (behaviour.ignoresSignal === true) return;
        clock.clearTimeout(handle);
        reject(context.signal.reason);
      };
      context.signal.addEventListener('abort', onAbort, { once: true });
    });
  });
}

function setup() {
  const clock = new ManualClock(0);
  const signals = new Map<string, AbortSignal>();
  const context = AgentContext.create({ workflow: WorkflowContext.create({ clock, correlationId: 'run-1' }), agent: { id: 'lead', role: 'coordinator' } });
  return { clock, signals, context, make: <TOutput>(id: string, behaviour: Parameters<typeof agent<TOutput>>[1]) => agent<TOutput>(id, behaviour, clock, signals) };
}

async function settle<T>(promise: Promise<T>, clock: ManualClock, ms = 1_000): Promise<T> {
  const caught = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await clock.tickAsync(ms);
  const outcome = await caught;
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

describe('AgentCoordinationPrimitive', () => {
  describe("strategy 'aggregate'", () => {
    it('returns every success in agent order and reports partial failures by agent id', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({
        strategy: 'aggregate',
        agents: [make<string>('a', { value: 'A', delayMs: 30 }), make<string>('b', { error: new Error('rate limited'), delayMs: 10 }), make<string>('c', { value: 'C', delayMs: 20 })],
      });
      const result = await settle(panel.execute(context, 'task'), clock);
      expect(result.value).toEqual(['A', 'C']);
      expect(result.failures).toHaveLength(1);
      expect(result.failures[0]).toMatchObject({ agentId: 'b', status: 'rejected' });
      expect((result.failures[0]!.error as Error).message).toBe('rate limited');
      expect(result.outcomes.map((outcome) => [outcome.agentId, outcome.status, outcome.durationMs])).toEqual([
        ['a', 'fulfilled', 30],
        ['b', 'rejected', 10],
        ['c', 'fulfilled', 20],
      ]);
    });

    it('fails with a CoordinationError naming every agent when all fail', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({
        name: 'panel',
        strategy: 'aggregate',
        agents: [make('a', { error: new Error('boom a') }), make('b', { error: new Error('boom b') })],
      });
      const error = (await settle(panel.execute(context, 'x'), clock).catch((caught: unknown) => caught)) as CoordinationError;
      expect(CoordinationError.isInstance(error)).toBe(true);
      expect(error.reason).toBe('all-failed');
      expect(error.failures.map((failure) => failure.agentId)).toEqual(['a', 'b']);
      expect(error.errors.map((item) => (item as Error).message)).toEqual(['boom a', 'boom b']);
      expect(error.message).toBe('panel: every agent failed; agent "a" failed: boom a; agent "b" failed: boom b');
    });

    it('honours requireAllSuccess: the first failure fails the run and aborts the agents still running', async () => {
      const { clock, context, make, signals } = setup();
      const panel = new AgentCoordinationPrimitive({
        strategy: 'aggregate',
        requireAllSuccess: true,
        agents: [make('fast', { value: 1, delayMs: 5 }), make('broken', { error: new Error('bad key'), delayMs: 10 }), make('slow', { value: 3, delayMs: 100 })],
      });
      const error = (await settle(panel.execute(context, 'x'), clock, 10).catch((caught: unknown) => caught)) as CoordinationError;
      expect(error.reason).toBe('not-all-succeeded');
      expect(error.failures.map((failure) => [failure.agentId, failure.status])).toEqual([['broken', 'rejected'], ['slow', 'cancelled']]);
      expect(error.message).toContain('agent "broken" failed: bad key');
      expect(signals.get('slow')?.aborted).toBe(true);
      expect(signals.get('fast')?.aborted).toBe(false);
      expect(clock.pendingTimers).toBe(0);
    });
  });

  describe("strategy 'first'", () => {
    it('returns the first success and aborts the losers through their signals', async () => {
      const { clock, context, make, signals } = setup();
      const panel = new AgentCoordinationPrimitive({
        strategy: 'first',
        agents: [make('slow', { value: 'slow answer', delayMs: 50 }), make('failing', { error: new Error('nope'), delayMs: 1 }), make('quick', { value: 'quick answer', delayMs: 10 }), make('stubborn', { value: 'late', delayMs: 40, ignoresSignal: true })],
      });
      const aborted: string[] = [];
      const run = panel.execute(context, 'q');
      await clock.tickAsync(0);
      for (const [id, signal] of signals) signal.addEventListener('abort', () => aborted.push(id));
      const result = await settle(run, clock, 10);
      expect(result.value).toBe('quick answer');
      expect(result.winner).toBe('quick');
      expect(aborted.sort()).toEqual(['slow', 'stubborn']);
      expect(signals.get('slow')?.reason).toBeInstanceOf(DOMException);
      expect(signals.get('quick')?.aborted).toBe(false);
      expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['cancelled', 'rejected', 'fulfilled', 'cancelled']);
      expect(result.failures.map((failure) => failure.agentId)).toEqual(['failing']);
      await clock.tickAsync(100); // the agent that ignores its signal finishes later; nothing changes
      expect(result.value).toBe('quick answer');
    });

    it('fails with every agent named when none succeeds', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'first', agents: [make('a', { error: new Error('x') }), make('b', { error: new Error('y') })] });
      await expect(settle(panel.execute(context, 'q'), clock)).rejects.toMatchObject({ reason: 'all-failed', failures: [{ agentId: 'a' }, { agentId: 'b' }] });
    });
  });

  describe("strategy 'consensus'", () => {
    it('returns the answer that enough agents agree on, with its supporters', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({
        strategy: 'consensus',
        threshold: 0.6,
        agents: [make('a', { value: { label: 'spam', score: 1 } }), make('b', { value: { score: 1, label: 'spam' } }), make('c', { value: { label: 'ham', score: 1 } }), make('d', { value: { label: 'spam', score: 1 } }), make('e', { error: new Error('down') })],
      });
      const result = await settle(panel.execute(context, 'mail'), clock);
      expect(result.value).toEqual({ label: 'spam', score: 1 });
      expect(result.supporters).toEqual(['a', 'b', 'd']);
      expect(result.agreement).toBe(0.6);
      expect(result.failures.map((failure) => failure.agentId)).toEqual(['e']);
    });

    it('fails with no-consensus when agreement stays under the threshold (failed agents count as disagreeing)', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'consensus', agents: [make('a', { value: 'yes' }), make('b', { value: 'yes' }), make('c', { value: 'no' }), make('d', { error: new Error('timeout upstream') })] });
      const error = (await settle(panel.execute(context, 'q'), clock).catch((caught: unknown) => caught)) as CoordinationError;
      expect(error.reason).toBe('no-consensus');
      expect(error.message).toContain('agreement 0.5 is below the threshold 0.667');
      expect(error.message).toContain('agent "d" failed: timeout upstream');
    });

    it('does not count different Maps as one answer', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({
        strategy: 'consensus',
        agents: [make('a', { value: new Map([['label', 'spam']]) }), make('b', { value: new Map([['label', 'ham']]) }), make('c', { value: new Map([['label', 'other']]) })],
      });
      await expect(settle(panel.execute(context, 'mail'), clock)).rejects.toMatchObject({ reason: 'no-consensus' });
      const agreeing = new AgentCoordinationPrimitive({
        strategy: 'consensus',
        agents: [make('a', { value: new Map([['label', 'spam']]) }), make('b', { value: new Map([['label', 'spam']]) }), make('c', { value: new Map([['label', 'ham']]) })],
      });
      expect((await settle(agreeing.execute(context, 'mail'), clock)).supporters).toEqual(['a', 'b']);
    });

    it('fails when two answers have the same support', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'consensus', threshold: 0.5, agents: [make('a', { value: 1 }), make('b', { value: 1 }), make('c', { value: 2 }), make('d', { value: 2 })] });
      await expect(settle(panel.execute(context, 'q'), clock)).rejects.toMatchObject({ reason: 'no-consensus' });
    });

    it('groups answers with a custom equality or a similarity score', async () => {
      const { clock, context, make } = setup();
      const answers = ['Paris', 'paris ', 'PARIS', 'Lyon'];
      const byEquality = new AgentCoordinationPrimitive({
        strategy: 'consensus',
        threshold: 0.75,
        equals: (left: string, right: string) => left.trim().toLowerCase() === right.trim().toLowerCase(),
        agents: answers.map((value, index) => make(`agent-${index}`, { value })),
      });
      expect((await settle(byEquality.execute(context, 'capital of France?'), clock)).value).toBe('Paris');
      const lengthSimilarity = (left: number, right: number): number => 1 - Math.abs(left - right) / Math.max(left, right);
      const bySimilarity = new AgentCoordinationPrimitive({
        strategy: 'consensus',
        similarity: lengthSimilarity,
        minSimilarity: 0.9,
        agents: [make('x', { value: 100 }), make('y', { value: 95 }), make('z', { value: 40 })],
      });
      const result = await settle(bySimilarity.execute(context, 'estimate'), clock);
      expect(result.value).toBe(100);
      expect(result.supporters).toEqual(['x', 'y']);
    });
  });

  describe("strategy 'vote'", () => {
    it('picks the answer with the most votes and returns the tally', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({
        strategy: 'vote',
        agents: [make('a', { value: 'approve' }), make('b', { value: 'reject' }), make('c', { value: 'approve' }), make('d', { value: 'abstain' }), make('e', { error: new Error('crash') })],
      });
      const result = await settle(panel.execute(context, 'PR #12'), clock);
      expect(result.value).toBe('approve');
      expect(result.ballot).toBe('approve');
      expect(result.tally).toEqual({ approve: 2, reject: 1, abstain: 1 });
      expect(result.supporters).toEqual(['a', 'c']);
      expect(result.agreement).toBe(0.4);
      expect(result.failures.map((failure) => failure.agentId)).toEqual(['e']);
    });

    it('counts ballots from a custom ballot function', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({
        strategy: 'vote',
        ballot: (review: { verdict: string; comment: string }) => review.verdict,
        agents: [make('a', { value: { verdict: 'ok', comment: 'fine' } }), make('b', { value: { verdict: 'ok', comment: 'lgtm' } }), make('c', { value: { verdict: 'no', comment: 'bug' } })],
      });
      const result = await settle(panel.execute(context, 'x'), clock);
      expect(result.value).toEqual({ verdict: 'ok', comment: 'fine' });
      expect(result.tally).toEqual({ ok: 2, no: 1 });
    });

    it('fails on a tie for first place', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'vote', agents: [make('a', { value: 'x' }), make('b', { value: 'y' })] });
      const error = (await settle(panel.execute(context, 'q'), clock).catch((caught: unknown) => caught)) as CoordinationError;
      expect(error.reason).toBe('tie');
      expect(error.message).toContain('"x" and "y" have 1 votes each');
    });

    it('with requireAllSuccess, fails when one voter fails', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'vote', requireAllSuccess: true, agents: [make('a', { value: 'x' }), make('b', { value: 'x' }), make('c', { error: new Error('no vote') })] });
      await expect(settle(panel.execute(context, 'q'), clock)).rejects.toMatchObject({ reason: 'not-all-succeeded', failures: [{ agentId: 'c', status: 'rejected' }] });
    });
  });

  describe('per-agent timeout', () => {
    it('aborts a slow agent with AgentTimeoutError at timeoutMs and counts it as failed', async () => {
      const { clock, context, make, signals } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'aggregate', timeoutMs: 100, agents: [make('quick', { value: 1, delayMs: 99 }), make('slow', { value: 2, delayMs: 500 }), make('deaf', { value: 3, delayMs: 500, ignoresSignal: true })] });
      const run = panel.execute(context, 'x');
      await clock.tickAsync(99);
      let settled = false;
      void run.then(() => (settled = true));
      await clock.tickAsync(0);
      expect(settled).toBe(false);
      const result = await settle(run, clock, 1);
      expect(result.value).toEqual([1]);
      expect(result.failures.map((failure) => [failure.agentId, failure.status])).toEqual([['slow', 'timed-out'], ['deaf', 'timed-out']]);
      const timeout = result.failures[0]!.error as AgentTimeoutError;
      expect(AgentTimeoutError.isInstance(timeout)).toBe(true);
      expect(timeout).toMatchObject({ agentId: 'slow', timeoutMs: 100, code: 'AGENT_TIMEOUT' });
      expect(signals.get('slow')?.reason).toBe(timeout);
      expect(signals.get('quick')?.aborted).toBe(false);
      expect(result.outcomes.find((outcome) => outcome.agentId === 'deaf')?.durationMs).toBe(100);
    });

    it('leaves no timer behind once every agent finished in time', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'vote', timeoutMs: 1_000, agents: [make('a', { value: 'x', delayMs: 1 }), make('b', { value: 'x', delayMs: 2 })] });
      await settle(panel.execute(context, 'q'), clock, 2);
      expect(clock.pendingTimers).toBe(0);
    });
  });

  describe('long and infinite timeouts', () => {
    it('times an agent out after 30 days, not at once, when timeoutMs is beyond the host timer limit', async () => {
      const { clock, context, make } = setup();
      const day = 86_400_000;
      const panel = new AgentCoordinationPrimitive({ strategy: 'aggregate', timeoutMs: 30 * day, agents: [make('quick', { value: 1, delayMs: 5 }), make('slow', { value: 2, delayMs: 40 * day })] });
      const run = panel.execute(context, 'x');
      let settled = false;
      void run.then(() => (settled = true));
      await clock.tickAsync(30 * day - 1);
      expect(settled).toBe(false);
      const result = await settle(run, clock, 1);
      expect(result.failures.map((failure) => [failure.agentId, failure.status])).toEqual([['slow', 'timed-out']]);
    });

    it('never times an agent out with timeoutMs Infinity', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'aggregate', timeoutMs: Infinity, agents: [make('slow', { value: 2, delayMs: 1e15 })] });
      expect(panel.timeoutMs).toBeUndefined();
      const result = await settle(panel.execute(context, 'x'), clock, 1e15);
      expect(result.value).toEqual([2]);
      expect(clock.pendingTimers).toBe(0);
    });

    it('refuses NaN and negative timeouts with InvalidOptionsError', () => {
      const { make } = setup();
      for (const timeoutMs of [Number.NaN, -1, -Infinity]) {
        expect(() => new AgentCoordinationPrimitive({ strategy: 'aggregate', timeoutMs, agents: [make('a', { value: 1 })] })).toThrow(InvalidOptionsError);
      }
    });
  });

  describe('cancellation', () => {
    it('rejects with the run’s abort reason and aborts every agent', async () => {
      const clock = new ManualClock(0);
      const signals = new Map<string, AbortSignal>();
      const controller = new AbortController();
      const context = WorkflowContext.create({ clock, signal: controller.signal });
      const panel = new AgentCoordinationPrimitive({ strategy: 'aggregate', agents: [agent('a', { value: 1, delayMs: 50 }, clock, signals), agent('b', { value: 2, delayMs: 50, ignoresSignal: true }, clock, signals)] });
      const run = panel.execute(context, 'q');
      await clock.tickAsync(10);
      const reason = new Error('user cancelled');
      controller.abort(reason);
      await expect(run).rejects.toBe(reason);
      expect(signals.get('a')?.aborted).toBe(true);
      expect(signals.get('b')?.aborted).toBe(true);
    });

    it("leaves no listener on the caller's signal once a run settles, whatever stopped the agents", async () => {
      const clock = new ManualClock(0);
      const signals = new Map<string, AbortSignal>();
      const controller = new AbortController();
      const listeners = (): number => getEventListeners(controller.signal, 'abort').length;
      const make = (id: string, behaviour: Parameters<typeof agent<number>>[1]) => agent<number>(id, behaviour, clock, signals);
      const panels = [
        new AgentCoordinationPrimitive({ strategy: 'first', agents: [make('a', { value: 1, delayMs: 5 }), make('b', { value: 2, delayMs: 50 }), make('c', { value: 3, delayMs: 50, ignoresSignal: true })] }),
        new AgentCoordinationPrimitive({ strategy: 'aggregate', timeoutMs: 20, agents: [make('a', { value: 1, delayMs: 5 }), make('b', { value: 2, delayMs: 50 })] }),
        new AgentCoordinationPrimitive({ strategy: 'vote', requireAllSuccess: true, agents: [make('a', { value: 1, delayMs: 5 }), make('b', { error: new Error('down'), delayMs: 10 }), make('c', { value: 1, delayMs: 50 })] }),
        new AgentCoordinationPrimitive({ strategy: 'consensus', timeoutMs: 1_000, agents: [make('a', { value: 1, delayMs: 5 }), make('b', { value: 1, delayMs: 6 })] }),
      ];
      for (const panel of panels) {
        for (let run = 0; run < 3; run++) {
          await settle<unknown>(panel.execute(new WorkflowContext({ clock, signal: controller.signal }), 'q'), clock, 100).catch(() => undefined);
          expect(listeners()).toBe(0);
          expect(clock.pendingTimers).toBe(0);
        }
      }
      expect(signals.get('a')?.aborted).toBe(false);
    });

    it("still cancels stoppable agents (timeoutMs, 'first') with the caller's reason and with the run's deadline", async () => {
      const { clock, make, signals } = setup();
      const controller = new AbortController();
      const panel = new AgentCoordinationPrimitive({ strategy: 'aggregate', timeoutMs: 500, agents: [make('a', { value: 1, delayMs: 100 }), make('b', { value: 2, delayMs: 100, ignoresSignal: true })] });
      const run = panel.execute(WorkflowContext.create({ clock, signal: controller.signal }), 'q');
      await clock.tickAsync(10);
      const reason = new Error('user cancelled');
      controller.abort(reason);
      await expect(run).rejects.toBe(reason);
      expect(signals.get('a')?.reason).toBe(reason);
      expect(signals.get('b')?.reason).toBe(reason);
      expect(clock.pendingTimers).toBe(1); // the deaf agent's own timer, not the coordination's

      const first = new AgentCoordinationPrimitive({ strategy: 'first', agents: [make('c', { value: 1, delayMs: 100 }), make('d', { value: 2, delayMs: 200 })] });
      const late = first.execute(WorkflowContext.create({ clock, timeoutMs: 50 }), 'q');
      const outcome = late.then(
        () => undefined,
        (error: unknown) => error,
      );
      await clock.tickAsync(50);
      const error = await outcome;
      expect(DeadlineExceededError.isInstance(error)).toBe(true);
      expect(signals.get('c')?.reason).toBe(error);
      expect(signals.get('d')?.reason).toBe(error);
    });

    it('does not start any agent when the run is already cancelled', async () => {
      const { clock, make, signals } = setup();
      const controller = new AbortController();
      controller.abort(new Error('too late'));
      const panel = new AgentCoordinationPrimitive({ strategy: 'first', agents: [make('a', { value: 1 })] });
      await expect(panel.execute(WorkflowContext.create({ clock, signal: controller.signal }), 'q')).rejects.toThrow('too late');
      expect(signals.size).toBe(0);
    });
  });

  it('gives each agent its own AgentContext in the same run, with a coordination record', async () => {
    const seen: Array<[string, string, string | undefined]> = [];
    const spy = (id: string): AgentDefinition<string, string> =>
      defineAgent({ id, role: 'r' }, (_input: string, context) => {
        seen.push([context.agent.id, context.correlationId, context.history.at(-1)?.kind]);
        return id;
      });
    const panel = new AgentCoordinationPrimitive({ strategy: 'aggregate', agents: [spy('a'), spy('b')] });
    await panel.execute(WorkflowContext.create({ correlationId: 'run-3' }), 'q');
    expect(seen).toEqual([
      ['a', 'run-3', 'coordination'],
      ['b', 'run-3', 'coordination'],
    ]);
  });

  it('reports each agent outcome through onAgentSettled and the instrumentation seam', async () => {
    const { clock, context, make } = setup();
    const panel = new AgentCoordinationPrimitive({ strategy: 'aggregate', agents: [make('a', { value: 1 }), make('b', { error: new Error('x') })] });
    const outcomes: AgentOutcome<unknown>[] = [];
    const events: PrimitiveEvent[] = [];
    const subscription = panel.onAgentSettled((outcome) => outcomes.push(outcome));
    const registration = registerInstrumentation({ onEvent: (event) => void events.push(event) });
    try {
      await settle(panel.execute(context, 'q'), clock);
    } finally {
      registration.dispose();
      subscription.dispose();
    }
    expect(outcomes.map((outcome) => [outcome.agentId, outcome.status])).toEqual([['a', 'fulfilled'], ['b', 'rejected']]);
    expect(events.filter((event) => event.type === 'agent-settled').map((event) => event.agentId)).toEqual(['a', 'b']);
  });

  it('types the value by strategy: a list for aggregate, one output otherwise', () => {
    const { make } = setup();
    const agents = [make<string>('a', { value: 'x' })];
    expectTypeOf(new AgentCoordinationPrimitive({ strategy: 'aggregate', agents }).execute).returns.resolves.toHaveProperty('value').toEqualTypeOf<string[]>();
    expectTypeOf(new AgentCoordinationPrimitive({ strategy: 'first', agents }).execute).returns.resolves.toHaveProperty('value').toEqualTypeOf<string>();
    expectTypeOf(new AgentCoordinationPrimitive({ strategy: 'vote', agents }).execute).returns.resolves.toHaveProperty('value').toEqualTypeOf<string>();
    const first = new AgentCoordinationPrimitive({ strategy: 'first', agents });
    // @ts-expect-error the input type follows the agents
    const wrongInput = (): unknown => first.execute(WorkflowContext.create(), 42);
    expect(typeof wrongInput).toBe('function');
  });

  describe('bad results of user callbacks', () => {
    it('rejects with InvalidInputError when a ballot function returns something other than a string', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'vote', ballot: () => Object.create(null) as string, agents: [make('a', { value: 1 }), make('b', { value: 1 })] });
      const error = await settle(panel.execute(context, 'q'), clock).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toBe('AgentCoordinationPrimitive: ballot must return a string (got an object for the output of agent "a")');
    });

    it('rejects with InvalidInputError when the default ballot cannot write an output as JSON', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'vote', agents: [make('a', { value: 1n }), make('b', { value: 1n })] });
      const error = await settle(panel.execute(context, 'q'), clock).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toBe('AgentCoordinationPrimitive: the output of agent "a" cannot be written as JSON for a ballot (got 1); give a ballot function');
    });

    it('rejects with InvalidInputError when a similarity function returns something other than a number', async () => {
      const { clock, context, make } = setup();
      const panel = new AgentCoordinationPrimitive({ strategy: 'consensus', similarity: () => '1' as unknown as number, agents: [make('a', { value: 1 }), make('b', { value: 1 })] });
      const error = await settle(panel.execute(context, 'q'), clock).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toBe('AgentCoordinationPrimitive: similarity must return a number in [0, 1] (got "1")');
    });

    it("rejects with the user's error when an equality test throws, instead of never settling", async () => {
      const { clock, context, make } = setup();
      const failure = new Error('cannot compare');
      const panel = new AgentCoordinationPrimitive({
        strategy: 'consensus',
        equals: () => {
          throw failure;
        },
        agents: [make('a', { value: 1 }), make('b', { value: 1 })],
      });
      await expect(settle(panel.execute(context, 'q'), clock)).rejects.toBe(failure);
    });

    it('describes an agent that failed with an object without a prototype in the CoordinationError message', async () => {
      const { clock, context } = setup();
      const odd = defineAgent({ id: 'odd', role: 'r' }, () => Promise.reject(Object.create(null) as Error));
      const text = defineAgent({ id: 'text', role: 'r' }, () => Promise.reject('plain text' as unknown as Error));
      const error = await settle(new AgentCoordinationPrimitive({ strategy: 'aggregate', agents: [odd, text] }).execute(context, 'q'), clock).catch((caught: unknown) => caught);
      expect(CoordinationError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe('agent-coordination: every agent failed; agent "odd" failed: an object; agent "text" failed: plain text');
    });
  });

  it('refuses bad options at construction', () => {
    const { make } = setup();
    const one = [make('a', { value: 1 })];
    const bad = (options: object): (() => unknown) => () => new AgentCoordinationPrimitive(options as never);
    expect(bad({ strategy: 'aggregate', agents: [] })).toThrow(InvalidOptionsError);
    expect(bad({ strategy: 'aggregate', agents: [make('a', { value: 1 }), make('a', { value: 2 })] })).toThrow(/unique ids/);
    expect(bad({ strategy: 'majority', agents: one })).toThrow(/strategy/);
    expect(bad({ strategy: 'aggregate', agents: one, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(bad({ strategy: 'first', agents: one, requireAllSuccess: true })).toThrow(/requireAllSuccess/);
    expect(bad({ strategy: 'vote', agents: one, threshold: 0.5 })).toThrow(/threshold/);
    expect(bad({ strategy: 'consensus', agents: one, threshold: 1.5 })).toThrow(/threshold/);
    expect(bad({ strategy: 'consensus', agents: one, equals: () => true, similarity: () => 1 })).toThrow(/similarity/);
    expect(bad({ strategy: 'consensus', agents: one, minSimilarity: 0.5 })).toThrow(/minSimilarity/);
    expect(bad({ strategy: 'aggregate', agents: one, ballot: String })).toThrow(/ballot/);
    expect(bad({ strategy: 'aggregate', agents: [{ agent: { id: 'x' } }] })).toThrow(/agents\[0\]/);
    expect(bad({ strategy: 'aggregate', agents: [{ agent: { id: 'x', role: '' }, primitive: one[0]!.primitive }] })).toThrow(/agents\[0\]\.agent\.role/);
    const refusals: Array<[object | null | undefined, string]> = [
      [undefined, 'AgentCoordinationPrimitive: option "options" must be an object'],
      [null, 'agent-coordination: option "options" must be an object (got null)'],
      [{ strategy: Object.create(null), agents: one }, "AgentCoordinationPrimitive: option \"strategy\" must be one of 'aggregate', 'first', 'consensus', 'vote' (got an object)"],
      [{ strategy: 'aggregate', agents: one, timeoutMs: Object.create(null) }, 'AgentCoordinationPrimitive: option "timeoutMs" must be a number > 0 or Infinity (got an object)'],
      [{ strategy: 'consensus', agents: one, threshold: 2n }, 'AgentCoordinationPrimitive: option "threshold" must be a number in (0, 1] (got 2)'],
      [{ strategy: 'consensus', agents: one, similarity: () => 1, minSimilarity: '0.5' }, 'AgentCoordinationPrimitive: option "minSimilarity" must be a number in [0, 1] (got "0.5")'],
      [{ strategy: 'aggregate', agents: one, requireAllSuccess: 'yes' }, 'AgentCoordinationPrimitive: option "requireAllSuccess" must be a boolean (got "yes")'],
      [{ strategy: 'aggregate', agents: one, clock: {} }, 'AgentCoordinationPrimitive: option "clock" must have now(), setTimeout() and clearTimeout() (got an object)'],
      [{ strategy: 'aggregate', agents: new Array(1).concat(one) }, 'AgentCoordinationPrimitive: option "agents[0]" must be an agent definition { agent, primitive } (see defineAgent) (got undefined)'],
      [{ strategy: 'aggregate', agents: [{ agent: Object.create(null), primitive: one[0]!.primitive }] }, 'AgentCoordinationPrimitive: option "agents[0].agent.id" must be a non-empty string (got undefined)'],
      [{ strategy: 'aggregate', agents: [make('a', { value: 1 }), make('a', { value: 2 })] }, 'AgentCoordinationPrimitive: option "agents" must have unique ids ("a" appears twice)'],
    ];
    for (const [options, message] of refusals) {
      expect(bad(options as object)).toThrow(InvalidOptionsError);
      expect(bad(options as object)).toThrow(message);
    }
  });
});
