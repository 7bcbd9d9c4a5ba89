import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, InvalidInputError, InvalidOptionsError, WorkflowContext, step } from '@tta/primitives';
import { sleep } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';

describe('WorkflowContext', () => {
  it('generates a correlation id when none is given and keeps a given one', () => {
    const first = new WorkflowContext();
    const second = WorkflowContext.create();
    expect(first.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.correlationId).not.toBe(second.correlationId);
    expect(WorkflowContext.create({ correlationId: 'req-1' }).correlationId).toBe('req-1');
  });

  it('gives a child the same correlation id, state and checkpoints but its own overrides', () => {
    const clock = new ManualClock(1_000);
    const parent = WorkflowContext.create({ data: { user: 'a' }, baggage: { tenant: 't1' }, clock });
    parent.state.set('k', 1);
    const child = parent.child({ data: { user: 'b' }, attempt: 2 });
    expect(child.correlationId).toBe(parent.correlationId);
    expect(child.state).toBe(parent.state);
    expect(child.data).toEqual({ user: 'b' });
    expect(child.baggage).toEqual({ tenant: 't1' });
    expect(child.attempt).toBe(2);
    expect(parent.attempt).toBeUndefined();
    clock.advance(5);
    child.checkpoint('fetched');
    expect(parent.checkpoints).toEqual([{ name: 'fetched', elapsedMs: 5 }]);
    expect(child.elapsedMs()).toBe(5);
  });

  it('shares what a grandchild makes first (correlation id, state, checkpoints, usage) with the whole run', () => {
    const root = WorkflowContext.create();
    const sibling = root.child();
    const grandchild = root.child().child({ attempt: 2 });
    // The grandchild reads first: the run's shared scope is made then, and every context sees it.
    const id = grandchild.correlationId;
    grandchild.state.set('k', 1);
    grandchild.checkpoint('made-late');
    grandchild.reportUsage({ model: 'm', inputTokens: 3, outputTokens: 4 });
    for (const context of [root, sibling, grandchild, root.child()]) {
      expect(context.correlationId).toBe(id);
      expect(context.state.get('k')).toBe(1);
      expect(context.checkpoints.map((entry) => entry.name)).toEqual(['made-late']);
      expect(context.usage).toMatchObject({ calls: 1, inputTokens: 3, outputTokens: 4 });
    }
    // Another run shares none of it.
    const other = WorkflowContext.create();
    expect(other.correlationId).not.toBe(id);
    expect(other.state.size).toBe(0);
    expect(other.usage.calls).toBe(0);
  });

  it('carries a runId given at creation to every child, and none when not given', () => {
    const parent = WorkflowContext.create({ runId: 'job-42' });
    expect(parent.runId).toBe('job-42');
    expect(parent.child({ attempt: 2 }).child().runId).toBe('job-42');
    expect(WorkflowContext.create().runId).toBeUndefined();
    expect(() => WorkflowContext.create({ runId: '' })).toThrow('WorkflowContext: option "runId" must be a non-empty string');
    expect(() => WorkflowContext.create({ runId: 7 as never })).toThrow(InvalidOptionsError);
  });

  it('aborts a child with its parent, but not a parent with its child', async () => {
    const controller = new AbortController();
    const parent = WorkflowContext.create({ signal: controller.signal });
    const ownController = new AbortController();
    const child = parent.child({ signal: ownController.signal });
    ownController.abort('child only');
    expect(child.aborted).toBe(true);
    expect(child.abortReason).toBe('child only');
    expect(parent.aborted).toBe(false);

    const other = parent.child({ signal: new AbortController().signal });
    const seen = new Promise((resolve) => other.signal.addEventListener('abort', () => resolve(other.signal.reason)));
    controller.abort('parent');
    await expect(seen).resolves.toBe('parent');
  });

  it('aborts the run with DeadlineExceededError when the deadline passes and clears the timer after', async () => {
    const clock = new ManualClock(0);
    const context = WorkflowContext.create({ clock, timeoutMs: 100 });
    expect(context.deadline).toBe(100);
    const slow = step('slow', async (_: void, ctx) => sleep(1_000, ctx.signal, clock));
    const run = slow.execute(context, undefined).catch((caught: unknown) => caught);
    await clock.tickAsync(100);
    const error = await run;
    expect(DeadlineExceededError.isInstance(error)).toBe(true);
    expect(context.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('leaves no timer behind when a run with a deadline finishes in time', async () => {
    const clock = new ManualClock(0);
    const context = WorkflowContext.create({ clock, deadline: 50 });
    await expect(step('fast', (x: number) => x * 2).execute(context, 2)).resolves.toBe(4);
    expect(clock.pendingTimers).toBe(0);
    expect(context.aborted).toBe(false);
  });

  it('rejects at once when the deadline has already passed', async () => {
    const clock = new ManualClock(500);
    const context = WorkflowContext.create({ clock, deadline: 100 });
    await expect(step('late', () => 1).execute(context, undefined)).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('reports the remaining time before the deadline', () => {
    const clock = new ManualClock(0);
    expect(WorkflowContext.create({ clock, deadline: 40 }).remainingMs()).toBe(40);
    expect(WorkflowContext.create({ clock }).remainingMs()).toBe(Infinity);
  });

  it('hands every log record the correlation id and redacts secrets', () => {
    const records: unknown[] = [];
    const sink = { debug: () => {}, info: (fields: object, message?: string) => records.push({ ...fields, message }), warn: () => {}, error: () => {} };
    const context = WorkflowContext.create({ correlationId: 'c-1', logger: sink });
    context.logger.info({ apiKey: 'sk-live-1234567890abcdefgh', user: 'ann' }, 'calling model');
    expect(records).toEqual([{ apiKey: '[REDACTED]', user: 'ann', correlationId: 'c-1', message: 'calling model' }]);
  });

  it('returns a never-aborting signal when the run cannot be cancelled', () => {
    const context = new WorkflowContext();
    expect(context.signal.aborted).toBe(false);
    expect(() => context.throwIfAborted()).not.toThrow();
  });
});

describe('WorkflowContext options', () => {
  it('refuses invalid options with InvalidOptionsError naming the option', () => {
    expect(() => WorkflowContext.create(null as never)).toThrow(/WorkflowContext: option "options"/);
    expect(() => WorkflowContext.create({ timeoutMs: -1 })).toThrow(/"timeoutMs" must be a number >= 0/);
    expect(() => WorkflowContext.create({ signal: {} as never })).toThrow(/"signal" must be an AbortSignal/);
    expect(() => WorkflowContext.create({ state: {} as never })).toThrow(/"state" must be a Map/);
    expect(() => WorkflowContext.create({ clock: { now: () => 0 } as never })).toThrow(/"clock"/);
    expect(() => WorkflowContext.create({ correlationId: '' })).toThrow(/correlationId/);
  });
});

describe('WorkflowContext deadline through a child', () => {
  it('fires the deadline when only a child of the context is executed', async () => {
    const clock = new ManualClock(0);
    const parent = WorkflowContext.create({ clock, timeoutMs: 50 });
    const child = parent.child({ data: { branch: 1 } });
    const slow = step('slow-child', async (_: void, ctx) => sleep(1_000, ctx.signal, clock));
    const outcome = slow.execute(child, undefined).catch((error: unknown) => error);
    await clock.tickAsync(50);
    expect(DeadlineExceededError.isInstance(await outcome)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('WorkflowContext deadlines out of range', () => {
  it('rejects a deadline outside the Date range with InvalidInputError', () => {
    for (const deadline of [9e15, -9e15, 8.64e15 + 1, -Infinity]) {
      expect(() => WorkflowContext.create({ deadline })).toThrow(InvalidInputError);
    }
    expect(() => WorkflowContext.create({ deadline: Number.NaN })).toThrow(InvalidOptionsError);
    expect(() => WorkflowContext.create({ timeoutMs: Number.NaN })).toThrow(InvalidOptionsError);
  });

  it('rejects a child deadline outside the Date range with InvalidInputError', () => {
    const parent = WorkflowContext.create();
    expect(() => parent.child({ deadline: 9e15 })).toThrow(InvalidInputError);
    expect(() => parent.child({ deadline: -9e15 })).toThrow(InvalidInputError);
  });

  it('treats a deadline or timeoutMs of Infinity as no deadline', async () => {
    const clock = new ManualClock(0);
    for (const context of [WorkflowContext.create({ clock, deadline: Infinity }), WorkflowContext.create({ clock, timeoutMs: Infinity }), WorkflowContext.create({ clock }).child({ deadline: Infinity })]) {
      expect(context.deadline).toBeUndefined();
      const run = step('slow', async (_: void, ctx) => sleep(1e15, ctx.signal, clock)).execute(context, undefined);
      await clock.tickAsync(1e15);
      await expect(run).resolves.toBeUndefined();
      expect(context.aborted).toBe(false);
      expect(clock.pendingTimers).toBe(0);
    }
  });

  it('waits a timeoutMs longer than the host timer limit (and than the Date range) in full', async () => {
    const clock = new ManualClock(0);
    const context = WorkflowContext.create({ clock, timeoutMs: 9e15 });
    const run = step('slow', async (_: void, ctx) => sleep(Infinity, ctx.signal, clock)).execute(context, undefined).catch((error: unknown) => error);
    await clock.tickAsync(9e15 - 1);
    expect(context.aborted).toBe(false);
    await clock.tickAsync(1);
    const error = await run;
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toBe('The workflow deadline (9000000000000000 ms since the epoch) passed');
  });
});
