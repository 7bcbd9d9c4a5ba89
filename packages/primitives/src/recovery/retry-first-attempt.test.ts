import { describe, expect, it } from 'vitest';
import { WorkflowContext, retry, step } from '@tta/primitives';

describe('RetryPrimitive first attempt', () => {
  it('gives the first attempt attempt 1 with the caller data, deadline and cancellation, and makes no context for it on later calls', async () => {
    const controller = new AbortController();
    const context = new WorkflowContext({ data: { user: 'u1' }, signal: controller.signal, deadline: Date.now() + 60_000 });
    const seen: WorkflowContext[] = [];
    const robust = retry(
      step('record', (input: number, attemptContext) => {
        seen.push(attemptContext);
        return input + 1;
      }),
    );
    await expect(robust.execute(context, 1)).resolves.toBe(2);
    await expect(robust.execute(context, 2)).resolves.toBe(3);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
    const first = seen[0]!;
    expect(first).not.toBe(context);
    expect(first.attempt).toBe(1);
    expect(first.data).toEqual({ user: 'u1' });
    expect(first.deadline).toBe(context.deadline);
    expect(first.correlationId).toBe(context.correlationId);
    controller.abort(new Error('stop'));
    expect(first.signal.aborted).toBe(true);
    await expect(robust.execute(context, 3)).rejects.toThrow('stop');
  });

  it('numbers nested retries from their own first attempt', async () => {
    const attempts: (number | undefined)[] = [];
    let calls = 0;
    const flaky = step('flaky', (input: number, attemptContext) => {
      attempts.push(attemptContext.attempt);
      if (++calls < 3) throw new Error('again');
      return input;
    });
    const nested = retry(retry(flaky, { maxAttempts: 2, initialDelayMs: 0, jitter: 'none' }), { maxAttempts: 2, initialDelayMs: 0, jitter: 'none' });
    await expect(nested.execute(new WorkflowContext(), 5)).resolves.toBe(5);
    expect(attempts).toEqual([1, 2, 1]);
  });
});
