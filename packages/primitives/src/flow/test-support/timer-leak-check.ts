import { createHook } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import { beforeEach } from 'vitest';
import { expectNoLeakedResources } from '../../../test-support/leak-check.js';

const repositoryRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

// Timers and immediates made by project code (not by the test runner) during the current test,
// with the stack that made them. A timer counts as pending until Node marks it destroyed (fired
// or cleared); the async_hooks destroy callback comes too late for a check right after the test.
const live = new Map<object, string>();
let tracking = false;

const isPending = (resource: object): boolean => (resource as { _destroyed?: boolean })._destroyed !== true;
const isProjectFrame = (frame: string): boolean => frame.includes(repositoryRoot) && !frame.includes('/node_modules/');

const hook = createHook({
  init(_asyncId, type, _triggerAsyncId, resource) {
    if (!tracking || (type !== 'Timeout' && type !== 'Immediate')) return;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    const frames = stack.split('\n').slice(1).filter(isProjectFrame);
    if (frames.length > 0 && !frames.every((frame) => frame.includes('/test-support/'))) live.set(resource, `${type} made at\n${frames.join('\n')}`);
  },
});

beforeEach(() => {
  live.clear();
  tracking = true;
  hook.enable();
});

/**
 * Fails when the test left a timer or an immediate behind. Call it in an `afterEach`. Two checks:
 *
 * 1. Exact: a `Timeout` or `Immediate` made by project code during the test (seen through
 *    `async_hooks`) is still pending; the message shows where it was made.
 * 2. The shared comparison of `process.getActiveResourcesInfo()` with the baseline taken in
 *    `beforeEach` (`test-support/leak-check.ts`). vitest now and then arms a short-lived timer of
 *    its own during a test (about one test in 300 here), which this comparison counts too, so an
 *    extra resource fails the test only when it is still there after `maxWaitMs`.
 */
export async function expectNoTimerLeaks(maxWaitMs = 1_000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  try {
    for (;;) {
      const leaked = [...live].filter(([resource]) => isPending(resource)).map(([, stack]) => stack);
      if (leaked.length > 0) throw new Error(`The test left ${leaked.length} timer(s) behind:\n${leaked.join('\n---\n')}`);
      try {
        expectNoLeakedResources();
        return;
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  } finally {
    tracking = false;
    hook.disable();
  }
}
