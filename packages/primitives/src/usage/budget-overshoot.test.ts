import { afterEach, describe, expect, it } from 'vitest';
import { BudgetExceededError, WorkflowContext, budget, parallel, step } from '@tta/primitives';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';

afterEach(expectNoLeakedResources);

describe('budget around parallel branches that start before any reports', () => {
  it('lets every branch already in flight start, counts the reports up to the one that goes past, and aborts the rest', async () => {
    const started: number[] = [];
    const aborted: number[] = [];
    // Branch i answers after (i + 1) * 5 ms: all five pass checkBudget before the first report.
    const branch = (index: number) =>
      step(`call ${index}`, (_input: string, context: WorkflowContext) => {
        context.checkBudget();
        started.push(index);
        return new Promise<string>((resolve, reject) => {
          const onAbort = () => {
            clearTimeout(timer);
            aborted.push(index);
            reject(context.signal.reason as Error);
          };
          const timer = setTimeout(() => {
            context.signal.removeEventListener('abort', onAbort);
            context.reportUsage({ model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 0.01 });
            resolve(`answer ${index}`);
          }, (index + 1) * 5);
          context.signal.addEventListener('abort', onAbort, { once: true });
        });
      });
    const context = WorkflowContext.create();
    const error = await budget(parallel(branch(0), branch(1), branch(2), branch(3), branch(4)), { maxCalls: 2 })
      .execute(context, 'q')
      .catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ limit: 'maxCalls', maximum: 2, spent: 3 });
    // The documented bound: all in-flight calls started; one past the limit was reported; the rest were closed.
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(context.usage.calls).toBe(3);
    expect(aborted.sort()).toEqual([3, 4]);
  });
});
