import { describe, expect, it } from 'vitest';
import type { WorkflowContext } from './workflow-context.js';
import { SequentialPrimitive } from './workflow-primitive.js';
import { step } from '../composition/lambda-primitive.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';

describe('WorkflowPrimitive.execute', () => {
  const double = step('double', (value: number) => value * 2);

  it.each([null, undefined, 42, 'a string', {}, []])('rejects a first argument %j that is not a context with InvalidInputError', async (junk) => {
    const outcome = await double.execute(junk as unknown as WorkflowContext, 1).catch((error: unknown) => error);
    expect(InvalidInputError.isInstance(outcome)).toBe(true);
    expect((outcome as InvalidInputError).primitive).toBe('double');
    expect((outcome as Error).message).toContain('needs a WorkflowContext as its first argument');
  });

  it('rejects a non-context first argument on a composite too, before any step runs', async () => {
    let calls = 0;
    const counted = step('counted', (value: number) => (calls++, value));
    const sequence = new SequentialPrimitive([counted, counted]);
    await expect(sequence.execute(null as unknown as WorkflowContext, 1)).rejects.toThrow(InvalidInputError);
    expect(calls).toBe(0);
  });
});
