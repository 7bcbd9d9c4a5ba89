import { describe, expect, it, vi } from 'vitest';
import { LazyAbort, signalParent, subscribeToAbort } from './abort.js';

describe('LazyAbort', () => {
  it('notifies subscribers of a parent abort without creating an AbortController', () => {
    const external = new AbortController();
    const parent = new LazyAbort(signalParent(external.signal));
    const child = new LazyAbort(parent);
    const created = vi.spyOn(globalThis, 'AbortController');
    const reasons: unknown[] = [];
    subscribeToAbort(child, (reason) => reasons.push(reason));
    expect(created).not.toHaveBeenCalled();
    external.abort('stop');
    expect(reasons).toEqual(['stop']);
    expect(child.aborted).toBe(true);
    created.mockRestore();
  });

  it('removes its listener from the parent signal when the last subscriber leaves', () => {
    const external = new AbortController();
    const scope = new LazyAbort(signalParent(external.signal));
    const add = vi.spyOn(external.signal, 'addEventListener');
    const remove = vi.spyOn(external.signal, 'removeEventListener');
    const first = subscribeToAbort(scope, () => {});
    const second = subscribeToAbort(scope, () => {});
    expect(add).toHaveBeenCalledTimes(1);
    first();
    expect(remove).not.toHaveBeenCalled();
    second();
    expect(remove).toHaveBeenCalledTimes(1);
  });

  it('still links a signal read after subscribers exist, and aborts both once', () => {
    const scope = new LazyAbort(undefined);
    const reasons: unknown[] = [];
    subscribeToAbort(scope, (reason) => reasons.push(reason));
    const signal = scope.signal;
    scope.abort('once');
    scope.abort('twice');
    expect(signal.reason).toBe('once');
    expect(reasons).toEqual(['once']);
  });
});

describe('subscribeToAbort', () => {
  it('does not report an abort that happened before subscribing, as addEventListener does not', () => {
    const external = new AbortController();
    external.abort('earlier');
    const reasons: unknown[] = [];
    subscribeToAbort(new LazyAbort(signalParent(external.signal)), (reason) => reasons.push(reason))();
    expect(reasons).toEqual([]);
  });
});
