import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, WorkflowContext } from '@tta/primitives';
import { MockPrimitive } from '@tta/primitives/testing';

describe('MockPrimitive', () => {
  it('returns its value and records each call with input and context', async () => {
    const mock = new MockPrimitive<string, number>({ returnValue: 42 });
    const context = new WorkflowContext();
    await expect(mock.execute(context, 'q')).resolves.toBe(42);
    expect(mock.calls).toEqual([{ input: 'q', context }]);
    expect(mock.callCount).toBe(1);
    mock.assertCalled();
    mock.assertCalledTimes(1);
    mock.assertCalledWith('q');
    mock.assertLastCalledWith('q');
    expect(() => mock.assertCalledWith('other')).toThrow(/never called with "other"/);
    expect(() => mock.assertNotCalled()).toThrow(/called 1 time/);
  });

  it('plays a sequence of outcomes and repeats the last one', async () => {
    const mock = new MockPrimitive<void, string>({ sequence: [{ error: new Error('429') }, { value: 'ok' }] });
    await expect(mock.execute(new WorkflowContext(), undefined)).rejects.toThrow('429');
    await expect(mock.execute(new WorkflowContext(), undefined)).resolves.toBe('ok');
    await expect(mock.execute(new WorkflowContext(), undefined)).resolves.toBe('ok');
  });

  it('runs an implementation or always fails with an error', async () => {
    await expect(new MockPrimitive({ implementation: (input: number) => input + 1 }).execute(new WorkflowContext(), 1)).resolves.toBe(2);
    const error = new Error('down');
    await expect(new MockPrimitive({ error }).execute(new WorkflowContext(), 1)).rejects.toBe(error);
  });

  it('accepts at most one behaviour, and resolves undefined with none', async () => {
    await expect(new MockPrimitive({}).execute(new WorkflowContext(), 1)).resolves.toBeUndefined();
    await expect(new MockPrimitive().execute(new WorkflowContext(), 1)).resolves.toBeUndefined();
    expect(() => new MockPrimitive({ returnValue: 1, error: new Error() })).toThrow(InvalidOptionsError);
    expect(() => new MockPrimitive({ returnValue: 1, error: new Error() })).toThrow(/at most one/);
    expect(() => new MockPrimitive({ sequence: [] })).toThrow(/sequence/);
  });

  it('plays a sequence of bare values and Error instances', async () => {
    const mock = new MockPrimitive<number, string>({ sequence: ['a', new Error('b'), { value: 'c' }] });
    await expect(mock.execute(new WorkflowContext(), 1)).resolves.toBe('a');
    await expect(mock.execute(new WorkflowContext(), 2)).rejects.toThrow('b');
    await expect(mock.execute(new WorkflowContext(), 3)).resolves.toBe('c');
    mock.assertNthCalledWith(2, 2);
    expect(() => mock.assertNthCalledWith(2, 3)).toThrow(/call 2/);
  });

  it('forgets calls on reset', async () => {
    const mock = new MockPrimitive({ returnValue: 1 });
    await mock.execute(new WorkflowContext(), undefined);
    mock.reset();
    mock.assertNotCalled();
  });
});
