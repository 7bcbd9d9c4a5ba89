import { describe, expect, it } from 'vitest';
import { WorkflowContext, budget, step } from '@tta/primitives';
import type { LogFields } from '@tta/primitives/logging';

function recording(): { context: WorkflowContext; warnings: Array<{ fields: LogFields; message: string | undefined }> } {
  const warnings: Array<{ fields: LogFields; message: string | undefined }> = [];
  const ignore = () => {};
  const context = WorkflowContext.create({ logger: { debug: ignore, info: ignore, error: ignore, warn: (fields, message) => warnings.push({ fields, message }) } });
  return { context, warnings };
}

const unpricedTwice = step('unpriced twice', (input: string, context: WorkflowContext) => {
  context.reportUsage({ model: 'local-llama', inputTokens: 10, outputTokens: 10 });
  context.reportUsage({ model: 'local-llama', inputTokens: 10, outputTokens: 10 });
  return input;
});

describe('a report without a cost inside a maxCostUsd budget', () => {
  it('warns once per model that its calls are not counted against maxCostUsd, naming the budget and the model', async () => {
    const { context, warnings } = recording();
    const capped = budget(unpricedTwice, { maxCostUsd: 0.05 });
    await capped.execute(context, 'q');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({ budget: capped.name, model: 'local-llama' });
    expect(warnings[0]!.message).toMatch(/no cost.*maxCostUsd/);
  });

  it('says nothing when the budget limits no cost, or outside any budget', async () => {
    const { context, warnings } = recording();
    await budget(unpricedTwice, { maxCalls: 5 }).execute(context, 'q');
    await unpricedTwice.execute(context, 'q');
    expect(warnings).toEqual([]);
  });
});
