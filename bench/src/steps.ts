/** The trivial async step every scenario is built from: one `await` of it is the raw step cost. */
export const increment = async (value: number): Promise<number> => value + 1;

/** Number of steps in the chain and branches in the fan-out. */
export const width = 10;

/** An error thrown (pre-built, so that building stacks is not what the retry scenarios measure). */
export const transientFailure = Object.assign(new Error('transient failure'), { retryable: true });

/**
 * A step that fails twice, then succeeds, then starts over: every operation of a retry scenario
 * makes exactly three calls, so the cycle stays aligned across operations.
 */
export function flakyIncrement(): (value: number) => Promise<number> {
  let calls = 0;
  return async (value: number): Promise<number> => {
    calls = (calls + 1) % 3;
    if (calls !== 0) throw transientFailure;
    return value + 1;
  };
}
