import { WorkflowContext } from './workflow-context.js';
import { requireOptionsObject } from './options.js';

/**
 * Options of `primitive.run(input, options)`: the parts of a {@link WorkflowContext} a caller
 * usually has at hand. For anything more (a logger, a clock, shared state, a trace parent), create a
 * context and call `execute(context, input)`.
 */
export interface RunOptions {
  /** Cancels the run when it aborts; the run rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Absolute deadline (epoch ms): the run is aborted with `DeadlineExceededError` when it passes.
   * @default no deadline
   */
  readonly deadline?: number;
  /** User data, read by every step as `context.data`. @default {} */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Identifies the run in logs and spans. @default a random UUID, made on first read */
  readonly correlationId?: string;
}

const runOptionNames: readonly string[] = ['signal', 'deadline', 'data', 'correlationId'];

/**
 * @internal The context `run` executes on. A key `run` does not know is refused rather than
 * ignored (by the shared options validator): `timeoutMs` or `logger` passed here would otherwise be
 * dropped without a word. The values themselves are checked by the context, with the same rules as
 * everywhere else.
 */
export function createRunContext(owner: string, options: RunOptions | undefined): WorkflowContext {
  if (options === undefined) return new WorkflowContext();
  requireOptionsObject(`${owner}.run`, options, { known: runOptionNames });
  return new WorkflowContext(options);
}
