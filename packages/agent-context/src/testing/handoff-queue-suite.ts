import { describe, it, expect } from 'vitest';
import type { HandoffQueue, HandoffTask } from '../handoff/handoff-queue.js';

let sequence = 0;
const unique = (name: string): string => `${name}-${process.pid}-${Date.now().toString(36)}-${++sequence}`;

/** A task for the contract tests. */
function task(to: string, input: unknown, overrides: Partial<HandoffTask> = {}): HandoffTask {
  return {
    id: unique('task'),
    from: 'planner',
    to,
    input,
    correlationId: 'run-1',
    data: { locale: 'en' },
    history: [{ to: 'planner', at: 1, kind: 'start' }, { from: 'planner', to, at: 2, kind: 'queued-handoff', reason: 'needs code' }],
    enqueuedAt: 2,
    reason: 'needs code',
    ...overrides,
  };
}

/**
 * Declares the behaviour every {@link HandoffQueue} must have, as a vitest `describe` block. The
 * factory makes a fresh, empty queue.
 *
 * @example
 * ```ts
 * describeHandoffQueueContract('InMemoryHandoffQueue', async () => new InMemoryHandoffQueue());
 * ```
 */
export function describeHandoffQueueContract(
  name: string,
  createQueue: () => Promise<HandoffQueue>,
  cleanup?: (queue: HandoffQueue) => Promise<void>,
): void {
  describe(`${name} (HandoffQueue contract)`, () => {
    const withQueue = (test: (queue: HandoffQueue) => Promise<void>) => async () => {
      const queue = await createQueue();
      try {
        await test(queue);
      } finally {
        await cleanup?.(queue);
      }
    };

    it('returns undefined when nothing waits for the agent', withQueue(async (queue) => {
      expect(await queue.take(unique('idle'))).toBeUndefined();
      expect(await queue.size(unique('idle'))).toBe(0);
    }));

    it('hands tasks to their target in queuing order, with every field intact', withQueue(async (queue) => {
      const coder = unique('coder');
      const first = task(coder, { file: 'a.ts' });
      const second = task(coder, { file: 'b.ts' });
      await queue.enqueue(first);
      await queue.enqueue(second);
      expect(await queue.size(coder)).toBe(2);
      const delivery = await queue.take(coder);
      expect(delivery?.task).toEqual(first);
      await delivery!.complete();
      expect(await queue.size(coder)).toBe(1);
      const next = await queue.take(coder);
      expect(next?.task).toEqual(second);
      await next!.fail(new Error('compile error'));
      expect(await queue.take(coder)).toBeUndefined();
    }));

    it('keeps the queues of different agents apart', withQueue(async (queue) => {
      const coder = unique('coder');
      const reviewer = unique('reviewer');
      await queue.enqueue(task(coder, 'code it'));
      expect(await queue.take(reviewer)).toBeUndefined();
      expect(await queue.size(reviewer)).toBe(0);
      expect((await queue.take(coder))?.task.input).toBe('code it');
    }));

    it('gives each task to one taker only, even when takers race', withQueue(async (queue) => {
      const worker = unique('worker');
      for (let index = 0; index < 10; index++) await queue.enqueue(task(worker, index));
      const takes = await Promise.all(Array.from({ length: 15 }, () => queue.take(worker)));
      const inputs = takes.filter((delivery) => delivery !== undefined).map((delivery) => delivery.task.input);
      expect([...inputs].sort((left, right) => Number(left) - Number(right))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      await Promise.all(takes.map((delivery) => delivery?.complete()));
    }));

    // A network queue names its queues after agent ids (UTF-8 keys) and carries tasks as JSON:
    // every queue refuses, typed and before queueing, what either cannot keep apart or give back.
    const refusal = async (attempt: Promise<unknown>): Promise<unknown> => {
      const outcome = await attempt.then(() => 'accepted', (error: unknown) => error);
      return { code: (outcome as { code?: unknown }).code, retryable: (outcome as { retryable?: unknown }).retryable };
    };
    const invalid = { code: 'INVALID_INPUT', retryable: false };

    it('refuses an agent id with a lone surrogate, typed', withQueue(async (queue) => {
      const coder = unique('coder');
      for (const half of ['\ud800', '\udfff']) {
        expect(await refusal(queue.enqueue(task(`${coder}-${half}`, 'x')))).toEqual(invalid);
        expect(await refusal(queue.take(`${coder}-${half}`))).toEqual(invalid);
        expect(await refusal(queue.size(`${coder}-${half}`))).toEqual(invalid);
      }
    }));

    it('hands back task inputs exactly as a JSON round trip gives them', withQueue(async (queue) => {
      const coder = unique('coder');
      await queue.enqueue(task(coder, { n: -0, text: 'cut \ud83d', gone: undefined }));
      const delivery = await queue.take(coder);
      expect(delivery?.task.input).toStrictEqual({ n: 0, text: 'cut \ud83d' });
      await delivery?.complete();
    }));

    it('refuses, typed and before queueing, tasks a JSON round trip would change', withQueue(async (queue) => {
      const coder = unique('coder');
      const refused: [string, unknown][] = [
        ['Date', new Date(0)],
        ['NaN', { score: Number.NaN }],
        ['Map', new Map([['a', 1]])],
        ['BigInt', { count: 1n }],
      ];
      for (const [name, input] of refused) {
        expect(await refusal(queue.enqueue(task(coder, input))), name).toEqual(invalid);
        expect(await refusal(queue.enqueue(task(coder, 'x', { data: { value: input } }))), name).toEqual(invalid);
      }
      expect(await queue.size(coder)).toBe(0);
    }));
  });
}
