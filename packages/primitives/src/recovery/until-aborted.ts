import type { WorkflowContext } from '../core/workflow-context.js';

const noop = (): void => {};

/**
 * @internal Settles like `work`, or rejects with the abort reason as soon as the context is
 * cancelled, even when the work ignores its signal (as p-retry does). A context that cannot be
 * cancelled costs nothing: `work` is returned as it is.
 */
export function untilAborted<T>(context: WorkflowContext, work: Promise<T>): Promise<T> {
  const abort = context._abort;
  if (abort === undefined) return work;
  if (abort.aborted) {
    work.then(noop, noop);
    return Promise.reject(abort.abortReason);
  }
  const signal = abort.signal;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
