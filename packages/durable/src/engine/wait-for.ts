import { InvalidInputError, WorkflowPrimitive, validate, type StandardSchemaV1, type WorkflowContext } from '@tta/primitives';
import { requireInteger, requireNonEmptyString, requireOptionsObject, type PrimitiveOptionsSummary } from '@tta/primitives/instrumentation';
import { waitForKind } from './run-journal.js';

/** Options of {@link waitFor}. */
export interface WaitForOptions<TValue> {
  /**
   * Checks the value `resume(runId, { value })` brings (any Standard Schema, e.g. a zod schema): a
   * value it refuses is rejected with `ValidationError` and the run stays suspended.
   * @default undefined (any value the journal can hold is accepted)
   */
  readonly schema?: StandardSchemaV1<unknown, TValue>;
  /**
   * How long the run may wait, from when it first reaches the wait. An expired wait fails the run
   * with `WaitTimedOutError`, noticed by the next `resume`, `start`, `inspect` or `list`.
   * @default undefined (waits for ever)
   */
  readonly timeoutMs?: number;
}

/**
 * A step that pauses a durable run for a person or another system (see {@link waitFor}). Runs
 * only inside a durable run: elsewhere it rejects with `InvalidInputError`.
 */
export class WaitForPrimitive<TPayload, TValue> extends WorkflowPrimitive<TPayload, TValue> {
  /** Checks the value a resume brings. */
  readonly schema: StandardSchemaV1<unknown, TValue> | undefined;
  /** How long the run may wait, ms. */
  readonly timeoutMs: number | undefined;

  constructor(name: string, options: WaitForOptions<TValue> = {}) {
    requireNonEmptyString('waitFor', 'name', name);
    requireOptionsObject('waitFor', options, { known: ['schema', 'timeoutMs'] });
    requireInteger('waitFor', 'timeoutMs', options.timeoutMs, { optional: true, min: 1 });
    super(waitForKind, { name });
    // Checked here so a bad schema fails at definition, not when a person answers.
    if (options.schema !== undefined) validate(options.schema);
    this.schema = options.schema;
    this.timeoutMs = options.timeoutMs;
  }

  /** Shows the timeout and whether a schema checks answers, so changing them changes the fingerprint. */
  override _describeOptions(): PrimitiveOptionsSummary {
    return { ...(this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs }), schema: this.schema === undefined ? 'none' : this.schema['~standard'].vendor };
  }

  protected executeImpl(_context: WorkflowContext, _input: TPayload): Promise<TValue> {
    // Inside a durable run the journal answers the wait before this is reached.
    return Promise.reject(new InvalidInputError(`waitFor "${this.name}"`, 'runs only inside a durable run: wrap the workflow with durable(workflow, { name, store }) and start it'));
  }

  /** The answer `value`, as the schema returns it; rejects with `ValidationError` when refused. */
  async check(value: unknown): Promise<TValue> {
    return this.schema === undefined ? (value as TValue) : validate(this.schema, { name: `waitFor(${this.name})` }).run(value) as Promise<TValue>;
  }
}

/**
 * A step that suspends a durable run until `resume(runId, { value })` answers it: its input is the
 * payload shown to whoever answers (`RunOutcome.waitingFor.payload`), its output is the value.
 * The run's process can end meanwhile; the resume may come from another process, days later.
 *
 * @example
 * ```ts
 * const approval = waitFor<{ amount: number }, { approved: boolean }>('approval', { timeoutMs: 86_400_000 });
 * const payout = step('quote', (amount: number) => ({ amount })).pipe(approval);
 * ```
 */
export function waitFor<TPayload = unknown, TValue = unknown>(name: string, options: WaitForOptions<TValue> = {}): WaitForPrimitive<TPayload, TValue> {
  return new WaitForPrimitive<TPayload, TValue>(name, options);
}
