import { describe, expect, it } from 'vitest';
import { WorkflowContext, compensation, step } from '@tta/primitives';

/** An abort reason branded as a pause (what a durable run's suspension is). */
function pauseReason(): Error {
  const reason = new Error('paused at a wait');
  (reason as unknown as Record<symbol, boolean>)[Symbol.for('@tta/primitives.run-paused')] = true;
  return reason;
}

describe('compensation and a paused run', () => {
  for (const [what, makeReason, undone] of [
    ['keeps the completed steps when the run pauses', pauseReason, []],
    ['undoes the completed steps when the run is aborted', () => new Error('aborted'), ['refund 500']],
  ] as const) {
    it(what, async () => {
      const effects: string[] = [];
      const controller = new AbortController();
      const reason = makeReason();
      const charge = step('charge', (cents: number) => (effects.push(`charge ${cents}`), cents));
      const refund = step('refund', ({ input }: { input: number }) => (effects.push(`refund ${input}`), input));
      const wait = step('wait', (cents: number) => (controller.abort(reason), cents));
      const keep = step('keep', () => 0);
      const after = step('after', (cents: number) => cents);
      const saga = compensation({ steps: [{ step: charge, undo: refund }, { step: wait, undo: keep }, { step: after, undo: keep }] } as never);
      await expect(saga.execute(WorkflowContext.create({ signal: controller.signal }), 500 as never)).rejects.toSatisfy((error: unknown) => error === reason || (error as { cause?: unknown }).cause === reason);
      expect(effects).toEqual(['charge 500', ...undone]);
    });
  }
});
