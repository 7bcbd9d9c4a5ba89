import { WorkflowContext, type WorkflowContextOptions } from './workflow-context.js';
import { requireOptionsObject } from './options.js';
import { describeValue } from './describe-value.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';

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
  return new WorkflowContext(readRunOptions(`${owner}.run`, options));
}

/**
 * The four options, each read once. Handing `options` itself to the context would let it read
 * keys that only a prototype holds (`Object.create({ timeoutMs })`), which the unknown-key check
 * (own keys) cannot see. An options object that throws when its keys or values are read (a getter,
 * a Proxy) is refused with `InvalidOptionsError`, its error as the cause.
 */
function readRunOptions(owner: string, options: RunOptions): WorkflowContextOptions {
  let signal: AbortSignal | undefined;
  let deadline: number | undefined;
  let data: Readonly<Record<string, unknown>> | undefined;
  let correlationId: string | undefined;
  try {
    requireOptionsObject(owner, options, { known: runOptionNames });
    ({ signal, deadline, data, correlationId } = options);
  } catch (error) {
    if (error instanceof InvalidOptionsError) throw error;
    throw new InvalidOptionsError(owner, 'options', `cannot be read (${describeValue(error)})`, { cause: error });
  }
  return {
    ...(signal === undefined ? {} : { signal }),
    ...(deadline === undefined ? {} : { deadline }),
    ...(data === undefined ? {} : { data }),
    ...(correlationId === undefined ? {} : { correlationId }),
  };
}
