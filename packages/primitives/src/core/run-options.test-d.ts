import { describe, expectTypeOf, it } from 'vitest';
import { step } from '../composition/lambda-primitive.js';
import { parallel } from '../composition/parallel-primitive.js';

describe('WorkflowPrimitive.run types', () => {
  const length = step('length', (text: string) => text.length);

  it('resolves with the primitive’s output type', () => {
    expectTypeOf(length.run('abc')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(parallel({ size: length, same: step('same', (text: string) => text) }).run('abc')).toEqualTypeOf<Promise<{ size: number; same: string }>>();
  });

  it('takes only the input type and the four run options', () => {
    // @ts-expect-error the input must be a string
    void length.run(42);
    // @ts-expect-error timeoutMs is a context option, not a run option
    void length.run('abc', { timeoutMs: 100 });
    // @ts-expect-error a signal must be an AbortSignal
    void length.run('abc', { signal: 'stop' });
    void length.run('abc', { signal: new AbortController().signal, deadline: Date.now() + 1_000, data: { user: 'u1' }, correlationId: 'req-1' });
  });
});
