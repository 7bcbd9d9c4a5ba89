import { describe, expect, it } from 'vitest';
import { WorkflowContext } from '@tta/primitives';
import { detachedChildContext } from '@tta/primitives/instrumentation';

describe('detachedChildContext', () => {
  it('shares the run (correlation id, state) with its parent but is cancelled only by its own signal', () => {
    const parentController = new AbortController();
    const parent = new WorkflowContext({ correlationId: 'run-1', signal: parentController.signal });
    parent.state.set('seen', 1);
    const own = new AbortController();
    const child = detachedChildContext(parent, { data: { agent: 'writer' } }, own.signal);
    expect(child.correlationId).toBe('run-1');
    expect(child.state.get('seen')).toBe(1);
    expect(child.data).toEqual({ agent: 'writer' });

    parentController.abort(new Error('parent stopped'));
    expect(child.aborted).toBe(false);

    const reason = new Error('owner stopped');
    own.abort(reason);
    expect(child.aborted).toBe(true);
    expect(() => child.throwIfAborted()).toThrow(reason);
  });
});
