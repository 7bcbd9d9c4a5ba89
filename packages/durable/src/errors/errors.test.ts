import { describe, expect, it } from 'vitest';
import { TtaError } from '@tta/primitives';
import { NonSerializableOutputError, RunLockedError, RunNotFoundError, RunNotSuspendedError, WorkflowChangedError } from '../index.js';

describe('durable errors', () => {
  const cases = [
    { error: new RunLockedError('r1'), code: 'RUN_LOCKED', retryable: true, is: RunLockedError.isInstance, text: 'r1' },
    { error: new RunNotFoundError('r2'), code: 'RUN_NOT_FOUND', retryable: false, is: RunNotFoundError.isInstance, text: 'r2' },
    { error: new RunNotSuspendedError('r3', 'completed'), code: 'RUN_NOT_SUSPENDED', retryable: false, is: RunNotSuspendedError.isInstance, text: 'completed' },
    { error: new WorkflowChangedError('r4', 'step "b" was removed'), code: 'WORKFLOW_CHANGED', retryable: false, is: WorkflowChangedError.isInstance, text: 'step "b" was removed' },
    { error: new NonSerializableOutputError('a/b', 'a Date at .when'), code: 'NON_SERIALIZABLE_OUTPUT', retryable: false, is: NonSerializableOutputError.isInstance, text: 'a/b' },
  ] as const;

  it.each(cases)('$code is a TtaError with its code, retryable flag, brand and the facts in its message', ({ error, code, retryable, is, text }) => {
    expect(error).toBeInstanceOf(TtaError);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(text);
    expect(is(error)).toBe(true);
    expect(is(new TtaError('other'))).toBe(false);
    expect(error.name).toBe(error.constructor.name);
  });

  it('keeps the cause it is given', () => {
    const cause = new Error('disk full');
    expect(new RunLockedError('r', { cause }).cause).toBe(cause);
  });
});
