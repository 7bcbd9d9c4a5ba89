import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { requireFunction } from '../core/options.js';

/** One recorded call of a {@link MockPrimitive}. */
export interface MockCall<TInput> {
  readonly input: TInput;
  readonly context: WorkflowContext;
}

/**
 * One scripted outcome in a {@link MockOptions.sequence}: `{ value }` resolves, `{ error }` rejects.
 * A bare value is accepted too: an `Error` instance rejects, anything else resolves.
 */
export type MockOutcome<TOutput> = { readonly value: TOutput } | { readonly error: unknown } | TOutput | Error;

/**
 * Options of {@link MockPrimitive}: give at most one of `returnValue`, `sequence`, `implementation`,
 * `error` (with none, every call resolves with `undefined`).
 */
export interface MockOptions<TInput, TOutput> extends PrimitiveOptions {
  /** Every call resolves with this value. */
  readonly returnValue?: TOutput;
  /**
   * Calls get these outcomes in order; once exhausted, the last one repeats.
   * @example
   * ```ts
   * sequence: [{ error: new Error('429') }, { value: 'hi' }]
   * ```
   * @example
   * ```ts
   * sequence: [new Error('429'), 'hi']
   * ```
   */
  readonly sequence?: readonly MockOutcome<TOutput>[];
  /** Every call runs this function. */
  readonly implementation?: (input: TInput, context: WorkflowContext) => TOutput | PromiseLike<TOutput>;
  /** Every call rejects with this error. */
  readonly error?: unknown;
}

const deepEqual = (left: unknown, right: unknown): boolean => {
  if (Object.is(left, right)) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  const rightKeys = Object.keys(right);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((key) => deepEqual((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]));
};

const show = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

/** True for `{ value }` or `{ error }` (exactly that one key): a scripted outcome rather than a bare value. */
function isScripted<TKey extends 'value' | 'error'>(outcome: unknown, key: TKey): outcome is Record<TKey, unknown> {
  if (typeof outcome !== 'object' || outcome === null || outcome instanceof Error) return false;
  const keys = Object.keys(outcome);
  return keys.length === 1 && keys[0] === key;
}

/**
 * A primitive for tests: scripted results, recorded calls and assertions.
 *
 * @example
 * ```ts
 * const llm = new MockPrimitive<string, string>({ sequence: [{ error: new Error('429') }, { value: 'hi' }] });
 * await retry(llm).execute(context, 'hello');
 * llm.assertCalledTimes(2);
 * ```
 */
export class MockPrimitive<TInput = unknown, TOutput = unknown> extends WorkflowPrimitive<TInput, TOutput> {
  /** Every call so far, in order. */
  readonly calls: MockCall<TInput>[] = [];
  private readonly options: MockOptions<TInput, TOutput>;

  constructor(options: MockOptions<TInput, TOutput> = {}) {
    super('mock', options);
    const given = (['returnValue', 'sequence', 'implementation', 'error'] as const).filter((key) => key in options);
    if (given.length > 1) {
      throw new InvalidOptionsError('MockPrimitive', 'returnValue | sequence | implementation | error', `at most one may be given (got ${given.join(', ')})`);
    }
    const sequence: unknown = options.sequence;
    if ('sequence' in options && (!Array.isArray(sequence) || sequence.length === 0)) {
      throw new InvalidOptionsError('MockPrimitive', 'sequence', 'must be a non-empty array of outcomes ({ value }, { error }, a value or an Error)');
    }
    if ('implementation' in options) requireFunction('MockPrimitive', 'implementation', options.implementation, { signature: '(input, context) => output' });
    this.options = options;
  }

  /** Number of calls so far. */
  get callCount(): number {
    return this.calls.length;
  }

  /** The last call, or undefined. */
  get lastCall(): MockCall<TInput> | undefined {
    return this.calls.at(-1);
  }

  protected async executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    const index = this.calls.length;
    this.calls.push({ input, context });
    const options = this.options;
    if (options.implementation !== undefined) return options.implementation(input, context);
    if ('error' in options) throw options.error;
    if (options.sequence !== undefined) {
      const outcome: unknown = options.sequence[Math.min(index, options.sequence.length - 1)];
      if (isScripted(outcome, 'error')) throw outcome.error;
      if (isScripted(outcome, 'value')) return outcome.value as TOutput;
      if (outcome instanceof Error) throw outcome;
      return outcome as TOutput;
    }
    return options.returnValue as TOutput;
  }

  /** Forgets recorded calls. */
  reset(): void {
    this.calls.length = 0;
  }

  /** Throws unless the mock was called at least once. */
  assertCalled(): void {
    if (this.calls.length === 0) throw new Error(`MockPrimitive "${this.name}" was never called`);
  }

  /** Throws unless the mock was never called. */
  assertNotCalled(): void {
    if (this.calls.length !== 0) throw new Error(`MockPrimitive "${this.name}" was called ${this.calls.length} time(s), expected none`);
  }

  /** Throws unless the mock was called exactly `times` times. */
  assertCalledTimes(times: number): void {
    if (this.calls.length !== times) throw new Error(`MockPrimitive "${this.name}" was called ${this.calls.length} time(s), expected ${times}`);
  }

  /** Throws unless some call had an input deeply equal to `input`. */
  assertCalledWith(input: TInput): void {
    if (!this.calls.some((call) => deepEqual(call.input, input))) {
      throw new Error(`MockPrimitive "${this.name}" was never called with ${show(input)}; inputs were ${show(this.calls.map((call) => call.input))}`);
    }
  }

  /** Throws unless call number `n` (from 1) had an input deeply equal to `input`. */
  assertNthCalledWith(n: number, input: TInput): void {
    const call = this.calls[n - 1];
    if (call === undefined || !deepEqual(call.input, input)) {
      throw new Error(`MockPrimitive "${this.name}" call ${n} input was ${call === undefined ? 'none' : show(call.input)}, expected ${show(input)}`);
    }
  }

  /** Throws unless the last call's input is deeply equal to `input`. */
  assertLastCalledWith(input: TInput): void {
    const last = this.lastCall;
    if (last === undefined || !deepEqual(last.input, input)) {
      throw new Error(`MockPrimitive "${this.name}" last input was ${last === undefined ? 'none' : show(last.input)}, expected ${show(input)}`);
    }
  }
}
