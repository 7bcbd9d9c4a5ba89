// Hostile durations: a deadline from a request header outside the Date range, and waits longer
// than a host timer can hold (2^31 − 1 ms, 24.8 days), which Node and browsers fire after 1 ms.
// Each finding stays fixed: no crash from a timer, no limiter bypass, no wait cut short.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentCoordinationPrimitive, AgentContext, defineAgent } from '@tta/agent-context';
import {
  DeadlineExceededError,
  InvalidInputError,
  TimeoutError,
  WorkflowContext,
  batch,
  hedge,
  rateLimit,
  retry,
  step,
  timeout,
} from '@tta/primitives';
import { sleep, systemClock } from '@tta/primitives/instrumentation';
import { record } from './figures.js';

const day = 86_400_000;

/** Collects what would end the process: uncaught exceptions and unhandled rejections. */
function watchProcess(): { readonly errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onError = (error: unknown): void => {
    errors.push(error);
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    errors,
    stop: () => {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

const realPause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('attack: a deadline outside the Date range (real timers)', () => {
  it('refuses a deadline of ±9e15 from a request with InvalidInputError, not a RangeError or a crash', async () => {
    const watch = watchProcess();
    try {
      for (const deadline of [9e15, -9e15]) {
        let thrown: unknown;
        try {
          const context = WorkflowContext.create({ deadline });
          await step('handler', () => 'ok').execute(context, undefined);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(InvalidInputError);
        expect(InvalidInputError.isInstance(thrown)).toBe(true);
      }
      // Enough for a timer that Node would clamp to 1 ms to have fired.
      await realPause(30);
      expect(watch.errors).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it('runs a step under timeoutMs 9e15 (a deadline past the Date range) without any timer throwing', async () => {
    const watch = watchProcess();
    try {
      const context = WorkflowContext.create({ timeoutMs: 9e15 });
      const result = await step('slow-handler', async () => {
        await realPause(30);
        return 'done';
      }).execute(context, undefined);
      await realPause(10);
      expect(result).toBe('done');
      expect(context.aborted).toBe(false);
      expect(watch.errors).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it('formats a deadline error for any deadline without throwing', () => {
    for (const deadline of [9e15, -9e15, Number.MAX_VALUE, -Infinity, Number.NaN]) {
      expect(() => new DeadlineExceededError(deadline).message).not.toThrow();
    }
  });
});

describe('attack: waits longer than a host timer can hold (fake timers on the system clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a limit of 100 per day with 3,000 waiters lets through exactly the allowed number', async () => {
    const limited = rateLimit(
      step('call', (index: number) => index),
      { tokensPerInterval: 100, intervalMs: day },
    );
    let passed = 0;
    const runs = Array.from({ length: 3_000 }, (_, index) => limited.execute(WorkflowContext.create(), index).then(() => passed++));
    await vi.advanceTimersByTimeAsync(359);
    const afterFirstMoment = passed;
    expect(afterFirstMoment).toBe(100);
    await vi.advanceTimersByTimeAsync(25 * day - 359);
    // 100 at once, then one per 864 s: by day 25 (past the 24.8-day timer limit) exactly 2,600.
    const afterDay25 = passed;
    expect(afterDay25).toBe(2_600);
    await vi.advanceTimersByTimeAsync(4 * day);
    await Promise.all(runs);
    expect(passed).toBe(3_000);
    record('rateLimitPassedIn359ms', afterFirstMoment);
    record('rateLimitPassedByDay25', afterDay25);
  });

  it('a 30-day timeout, hedge delay, batch wait, retry delay and context timeoutMs each wait 30 days', async () => {
    const never = step('never', () => new Promise<number>(() => {}));
    const outcomes: Record<string, string> = {};
    const note = (name: string) => (value: unknown) => (outcomes[name] = value instanceof Error ? value.name : String(value));

    timeout(never, { timeoutMs: 30 * day })
      .execute(WorkflowContext.create(), 1)
      .catch(note('timeout'));
    let attempts = 0;
    hedge(
      step('attempt', () => (attempts++, new Promise<number>(() => {}))),
      { delayMs: 30 * day },
    ).execute(WorkflowContext.create(), 1);
    batch(
      step('many', (inputs: number[]) => inputs.map((input) => input * 2)),
      { maxBatchSize: 10, maxWaitMs: 30 * day },
    )
      .execute(WorkflowContext.create(), 2)
      .then(note('batch'));
    let tries = 0;
    retry(
      step('flaky', () => {
        tries++;
        if (tries === 1) throw new Error('first try fails');
        return 'second try';
      }),
      { initialDelayMs: 30 * day, maxDelayMs: 30 * day, jitter: 'none', maxAttempts: 2 },
    )
      .execute(WorkflowContext.create(), undefined)
      .then(note('retry'));
    step('long', (_: void, context) => sleep(Infinity, context.signal))
      .execute(WorkflowContext.create({ timeoutMs: 30 * day }), undefined)
      .catch(note('context'));

    await vi.advanceTimersByTimeAsync(30 * day - 1);
    expect({ outcomes, attempts, tries }).toEqual({ outcomes: {}, attempts: 1, tries: 1 });
    await vi.advanceTimersByTimeAsync(1);
    expect({ outcomes, attempts, tries }).toEqual({
      outcomes: { timeout: new TimeoutError(1).name, batch: '4', retry: 'second try', context: new DeadlineExceededError().name },
      attempts: 2,
      tries: 2,
    });
  });

  it('an agent coordination timeoutMs of 30 days waits 30 days', async () => {
    const slow = defineAgent({ id: 'slow', role: 'worker' }, step('slow', () => new Promise<string>(() => {})));
    const quick = defineAgent({ id: 'quick', role: 'worker' }, step('quick', () => 'fast'));
    const panel = new AgentCoordinationPrimitive({ strategy: 'aggregate', agents: [quick, slow], timeoutMs: 30 * day });
    let statuses: string[] | undefined;
    void panel.execute(AgentContext.create({ workflow: WorkflowContext.create(), agent: { id: 'lead', role: 'coordinator' } }), 'q').then((result) => {
      statuses = result.outcomes.map((outcome) => `${outcome.agentId}:${outcome.status}`);
    });
    await vi.advanceTimersByTimeAsync(30 * day - 1);
    expect(statuses).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(statuses).toEqual(['quick:fulfilled', 'slow:timed-out']);
  });

  it('Infinity never fires: no host timer is held, and a deadline or timeout of Infinity is no deadline', async () => {
    let fired = false;
    const handle = systemClock.setTimeout(() => (fired = true), Infinity);
    expect(vi.getTimerCount()).toBe(0);
    let settled = false;
    const context = WorkflowContext.create({ deadline: Infinity });
    timeout(
      step('slow', () => new Promise<number>(() => {})),
      { timeoutMs: Infinity },
    )
      .execute(context, 1)
      .finally(() => (settled = true))
      .catch(() => {});
    await vi.advanceTimersByTimeAsync(365 * day);
    expect({ fired, settled, aborted: context.aborted }).toEqual({ fired: false, settled: false, aborted: false });
    systemClock.clearTimeout(handle);
  });
});
