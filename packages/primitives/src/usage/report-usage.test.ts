import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError, WorkflowContext, parallel, step } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';

afterEach(expectNoLeakedResources);

describe('WorkflowContext usage', () => {
  it('is empty before any report, and checkBudget does nothing outside a budget', () => {
    const context = WorkflowContext.create();
    expect(context.usage).toEqual({ calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, byModel: {} });
    expect(() => context.checkBudget()).not.toThrow();
  });

  it('adds every report of every child context to the run totals and per model', async () => {
    const report = (model: string, costUsd?: number) =>
      step(model, (input: string, context: WorkflowContext) => {
        context.reportUsage({ model, inputTokens: 100, outputTokens: 20, ...(costUsd === undefined ? {} : { costUsd }) });
        return input;
      });
    const context = WorkflowContext.create();
    await parallel(report('a', 0.5), report('b'), report('a', 0.25)).execute(context, 'x');
    const child = context.child();
    child.reportUsage({ model: 'b', inputTokens: 1, outputTokens: 2, costUsd: 0.125 });
    expect(context.usage).toEqual({
      calls: 4,
      inputTokens: 301,
      outputTokens: 62,
      costUsd: 0.875,
      byModel: {
        a: { calls: 2, inputTokens: 200, outputTokens: 40, costUsd: 0.75 },
        b: { calls: 2, inputTokens: 101, outputTokens: 22, costUsd: 0.125 },
      },
    });
    expect(child.usage).toEqual(context.usage);
  });

  it('keeps a model named __proto__ as a plain key', () => {
    const context = WorkflowContext.create();
    context.reportUsage({ model: '__proto__', inputTokens: 1, outputTokens: 1 });
    expect(Object.keys(context.usage.byModel)).toEqual(['__proto__']);
    expect(context.usage.byModel['__proto__']?.calls).toBe(1);
  });

  it.each([
    [null, /must be an object/],
    [{ model: '', inputTokens: 1, outputTokens: 1 }, /"model"/],
    [{ model: 'm', inputTokens: -1, outputTokens: 1 }, /"inputTokens"/],
    [{ model: 'm', inputTokens: 1, outputTokens: Number.NaN }, /"outputTokens"/],
    [{ model: 'm', inputTokens: 1, outputTokens: 1, costUsd: Infinity }, /"costUsd"/],
    [{ model: 'm', inputTokens: 1, outputTokens: 1, estimated: 'yes' }, /"estimated"/],
  ])('refuses the report %j with InvalidInputError naming the problem', (report, message) => {
    const context = WorkflowContext.create();
    expect(() => context.reportUsage(report as never)).toThrow(InvalidInputError);
    expect(() => context.reportUsage(report as never)).toThrow(message);
    expect(context.usage.calls).toBe(0);
  });

  it('reports each usage to the instrumentation as a usage event', () => {
    const events: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => events.push(event) });
    try {
      WorkflowContext.create().reportUsage({ model: 'm', inputTokens: 3, outputTokens: 4, costUsd: 0.5, estimated: true });
    } finally {
      registration.dispose();
    }
    expect(events).toEqual([{ type: 'usage', model: 'm', inputTokens: 3, outputTokens: 4, costUsd: 0.5, estimated: true }]);
  });
});
