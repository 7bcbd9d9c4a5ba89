import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { WorkflowContext, step, type WorkflowPrimitive } from '@tta/primitives';
import { ManualClock, MockPrimitive } from '@tta/primitives/testing';
import { timeout, retry, fallback, circuitBreaker, TimeoutError, BrokenCircuitError, FallbackExhaustedError, type TimeoutPrimitive } from '@tta/primitives';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';

afterEach(expectNoLeakedResources);

interface Prompt {
  readonly text: string;
}

/** A simulated model: fails its first `failures` calls, then answers. */
function model(name: string, failures: number) {
  let calls = 0;
  const primitive = step(name, (prompt: Prompt) => {
    calls++;
    if (calls <= failures) throw new Error(`${name} unavailable`);
    return `${name}: ${prompt.text}`;
  });
  return {
    primitive,
    get calls() {
      return calls;
    },
  };
}

describe('recovery primitives composed', () => {
  it("runs the seed's one-liner timeout(retry(fallback(gpt4, [gpt35, local])), { timeoutMs: 30_000 })", async () => {
    const clock = new ManualClock();
    const gpt4 = model('gpt4', Infinity).primitive;
    const gpt35 = model('gpt35', Infinity).primitive;
    const local = model('local', 1);
    const workflow = timeout(retry(fallback(gpt4, [gpt35, local.primitive])), { timeoutMs: 30_000 });
    expectTypeOf(workflow).toEqualTypeOf<TimeoutPrimitive<Prompt, string>>();
    expectTypeOf(workflow).toMatchTypeOf<WorkflowPrimitive<Prompt, string>>();
    const run = workflow.execute(new WorkflowContext({ clock }), { text: 'hello' });
    await clock.tickAsync(1_000);
    await expect(run).resolves.toBe('local: hello');
    expect(local.calls).toBe(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('accepts the array shorthand of the issue: fallback(gpt4, [gpt35, local])', async () => {
    const workflow = timeout(retry(fallback(model('gpt4', Infinity).primitive, [model('gpt35', 0).primitive])), { timeoutMs: 30_000 });
    await expect(workflow.execute(new WorkflowContext(), { text: 'hi' })).resolves.toBe('gpt35: hi');
  });

  it('does not compile when a fallback has another input type', () => {
    const gpt4 = model('gpt4', 0).primitive;
    const numeric = step('numeric', (count: number) => String(count));
    // @ts-expect-error a fallback must accept the primary's input
    fallback(gpt4, [numeric]);
  });

  it('gives retries a total time budget with timeout(retry(...)): no attempt starts after the deadline', async () => {
    const clock = new ManualClock();
    const flaky = model('flaky', Infinity);
    const workflow = timeout(retry(flaky.primitive, { maxAttempts: Infinity, backoff: 'constant', initialDelayMs: 1_000, jitter: 'none' }), { timeoutMs: 2_500 });
    const settled = workflow.execute(new WorkflowContext({ clock }), { text: 'x' }).catch((error: unknown) => error);
    await clock.tickAsync(2_500);
    expect(TimeoutError.isInstance(await settled)).toBe(true);
    expect(flaky.calls).toBe(3); // at 0, 1000 and 2000 ms
    await clock.tickAsync(10_000);
    expect(flaky.calls).toBe(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('retry does not hammer an open circuit: BrokenCircuitError is not retried', async () => {
    const clock = new ManualClock();
    const service = new MockPrimitive<Prompt, string>({ error: new Error('down') });
    const breaker = circuitBreaker(service, { failureThreshold: 2, clock });
    const workflow = retry(breaker, { clock, jitter: 'none' });
    const settled = workflow.execute(new WorkflowContext({ clock }), { text: 'x' }).catch((error: unknown) => error);
    await clock.runAllAsync();
    const error = await settled;
    expect(BrokenCircuitError.isInstance(error)).toBe(true);
    expect((error as BrokenCircuitError & { attempts: number }).attempts).toBe(3);
    expect(service.callCount).toBe(2);
  });

  it('a fallback chain inside retry is retried as a whole when every alternative failed', async () => {
    const clock = new ManualClock();
    const primary = model('primary', 2);
    const backup = model('backup', 2);
    const workflow = retry(fallback(primary.primitive, [backup.primitive]), { clock, jitter: 'none' });
    const run = workflow.execute(new WorkflowContext({ clock }), { text: 'x' });
    await clock.runAllAsync();
    await expect(run).resolves.toBe('primary: x');
    expect(backup.calls).toBe(2);
    const exhausted = await retry(fallback(model('a', Infinity).primitive, [model('b', Infinity).primitive]), { maxAttempts: 1 })
      .execute(new WorkflowContext(), { text: 'x' })
      .catch((error: unknown) => error);
    expect(FallbackExhaustedError.isInstance(exhausted)).toBe(true);
  });
});
