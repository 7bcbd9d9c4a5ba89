import { afterEach, describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  BudgetPrimitive,
  InvalidOptionsError,
  WorkflowContext,
  budget,
  fallback,
  parallel,
  retry,
  step,
} from '@tta/primitives';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';

afterEach(expectNoLeakedResources);

/** A model call stand-in: checks the budget, spends `costUsd`, counts its calls. */
const spender = (costUsd: number, calls: { count: number }, name = 'call', tokens = 10) =>
  step(name, async (input: string, context: WorkflowContext) => {
    context.checkBudget();
    calls.count += 1;
    await Promise.resolve();
    context.reportUsage({ model: name, inputTokens: tokens, outputTokens: tokens, costUsd });
    return `${input}:${name}`;
  });

describe('BudgetPrimitive', () => {
  it('refuses the call after the one that reached maxCostUsd', async () => {
    const calls = { count: 0 };
    const call = spender(0.02, calls);
    const loop = step('loop', async (input: string, context: WorkflowContext) => {
      for (let index = 0; index < 10; index++) await call.execute(context, input);
      return input;
    });
    const error = await budget(loop, { maxCostUsd: 0.05 }).run('q').catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    // 0.02, 0.04, 0.06 (this third report crosses the limit); no fourth call starts.
    expect(calls.count).toBe(3);
    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', limit: 'maxCostUsd', maximum: 0.05, retryable: false });
  });

  it('lets a run that spends exactly its limit finish, and refuses the next call', async () => {
    const calls = { count: 0 };
    const call = spender(0.01, calls);
    const five = step('five', async (input: string, context: WorkflowContext) => {
      for (let index = 0; index < 5; index++) await call.execute(context, input);
      return 'done';
    });
    await expect(budget(five, { maxCostUsd: 0.05 }).run('q')).resolves.toBe('done');
    const six = step('six', async (input: string, context: WorkflowContext) => {
      for (let index = 0; index < 6; index++) await call.execute(context, input);
      return 'done';
    });
    calls.count = 0;
    await expect(budget(six, { maxCostUsd: 0.05 }).run('q')).rejects.toBeInstanceOf(BudgetExceededError);
    expect(calls.count).toBe(5);
  });

  it('counts maxCalls and maxTokens', async () => {
    const calls = { count: 0 };
    const call = spender(0, calls, 'free', 50);
    const many = step('many', async (input: string, context: WorkflowContext) => {
      for (let index = 0; index < 10; index++) await call.execute(context, input);
      return input;
    });
    await expect(budget(many, { maxCalls: 2 }).run('q')).rejects.toMatchObject({ limit: 'maxCalls', maximum: 2 });
    expect(calls.count).toBe(2);
    calls.count = 0;
    await expect(budget(many, { maxTokens: 250 }).run('q')).rejects.toMatchObject({ limit: 'maxTokens', maximum: 250 });
    expect(calls.count).toBe(3);
  });

  it('gives up a retry and is not hidden by a fallback', async () => {
    const calls = { count: 0 };
    const expensive = spender(0.1, calls, 'expensive');
    const cheap = spender(0.001, calls, 'cheap');
    const failing = step('flaky', async (_input: string, context: WorkflowContext) => {
      context.checkBudget();
      calls.count += 1;
      context.reportUsage({ model: 'flaky', inputTokens: 1, outputTokens: 1, costUsd: 0.03 });
      throw new Error('server error');
    });
    const workflow = budget(retry(fallback(failing, [expensive, cheap]), { maxAttempts: 5, initialDelayMs: 0, jitter: 'none' }), { maxCostUsd: 0.05 });
    const error = await workflow.run('q').catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    // flaky (0.03), expensive (0.13: crosses, and aborts the budget's work); nothing after.
    expect(calls.count).toBe(2);
  });

  it('a fallback rethrows BudgetExceededError by default instead of trying its alternatives', async () => {
    const refused = step('refused', (_input: string, context: WorkflowContext) => {
      context.checkBudget();
      return 'never';
    });
    const tried: string[] = [];
    const alternative = step('alternative', (input: string) => {
      tried.push(input);
      return input;
    });
    const spent = step('spent', (input: string, context: WorkflowContext) => {
      context.reportUsage({ model: 'm', inputTokens: 1, outputTokens: 1 });
      return input;
    });
    const workflow = budget(spent.pipe(fallback(refused, [alternative])), { maxCalls: 1 });
    await expect(workflow.run('q')).rejects.toBeInstanceOf(BudgetExceededError);
    expect(tried).toEqual([]);
  });

  it('falls back to a cheaper model outside the budget when fallbackOn accepts the error', async () => {
    const calls = { count: 0 };
    const expensive = spender(0.04, calls, 'expensive');
    const twice = step('thrice', async (input: string, context: WorkflowContext) => {
      await expensive.execute(context, input);
      await expensive.execute(context, input);
      return expensive.execute(context, input);
    });
    const local = spender(0, calls, 'local');
    const workflow = fallback(budget(twice, { maxCostUsd: 0.05 }), [local], { fallbackOn: BudgetExceededError.isInstance });
    const context = WorkflowContext.create();
    await expect(workflow.execute(context, 'q')).resolves.toBe('q:local');
    expect(context.usage.byModel).toMatchObject({ expensive: { calls: 2 }, local: { calls: 1 } });
  });

  it('aborts the other parallel branches with the error when a report crosses the limit', async () => {
    const reasons: unknown[] = [];
    const hanging = step('hanging', (_input: string, context: WorkflowContext) =>
      new Promise<string>((_resolve, reject) => {
        context.checkBudget();
        context.signal.addEventListener('abort', () => {
          reasons.push(context.signal.reason);
          reject(context.signal.reason as Error);
        }, { once: true });
      }),
    );
    const spend = step('spend', async (_input: string, context: WorkflowContext) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      context.reportUsage({ model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 1 });
      return 'spent';
    });
    const error = await budget(parallel(hanging, spend), { maxCostUsd: 0.5 }).run('q').catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(reasons).toHaveLength(1);
    expect(BudgetExceededError.isInstance(reasons[0])).toBe(true);
  });

  it('holds each of nested budgets, counting only what is spent inside each', async () => {
    const calls = { count: 0 };
    const call = spender(0.01, calls);
    const three = step('three', async (input: string, context: WorkflowContext) => {
      for (let index = 0; index < 3; index++) await call.execute(context, input);
      return input;
    });
    const inner = budget(three, { maxCalls: 5 });
    const outer = budget(step('both', async (input: string, context: WorkflowContext) => {
      await inner.execute(context, input);
      return inner.execute(context, input);
    }), { maxCalls: 4 });
    const context = WorkflowContext.create();
    await expect(outer.execute(context, 'q')).rejects.toMatchObject({ limit: 'maxCalls', maximum: 4, budget: outer.name });
    expect(calls.count).toBe(4);
    expect(context.usage.calls).toBe(4);
  });

  it('starts each execution with nothing spent', async () => {
    const calls = { count: 0 };
    const capped = budget(spender(0.03, calls), { maxCostUsd: 0.05 });
    await capped.run('a');
    await capped.run('b');
    expect(calls.count).toBe(2);
  });

  it('is named after what it wraps and refuses bad limits', () => {
    const inner = step('answer', (input: string) => input);
    expect(budget(inner, { maxCalls: 1 }).name).toBe('budget(answer)');
    expect(() => budget(inner, { maxCostUsd: -1 })).toThrow(InvalidOptionsError);
    expect(() => budget(inner, { maxCostUsd: Number.NaN })).toThrow(/maxCostUsd/);
    expect(() => budget(inner, { maxCalls: 1.5 })).toThrow(/maxCalls/);
    expect(() => budget(inner, { maxTokens: -3 })).toThrow(/maxTokens/);
    expect(() => budget(inner, { maxCost: 1 } as never)).toThrow(/maxCost/);
    expect(() => new BudgetPrimitive(inner, undefined as never)).toThrow(InvalidOptionsError);
    expect(budget(inner, { maxCostUsd: Infinity }).limits).toEqual({});
  });
});
