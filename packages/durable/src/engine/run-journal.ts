import type { ExecutionInfo } from '@tta/primitives/instrumentation';
import type { RunStore, StepRecord } from '../run-store.js';
import { journalText } from './journalable.js';
import { RunSuspended } from './run-suspended.js';
import { WaitTimedOutError } from '../errors/wait-timed-out-error.js';

/** The answer `resume(runId, { value })` brings to the wait at `path`. */
export interface WaitAnswer {
  readonly path: string;
  readonly value: unknown;
}

/** How the journal of one run is written while one process holds its lease. */
export interface RunJournalOptions {
  readonly store: RunStore;
  readonly runId: string;
  readonly token: string;
  readonly steps: readonly StepRecord[];
  readonly answer: WaitAnswer | undefined;
  readonly maxStepOutputBytes: number;
  /** The `timeoutMs` of each `waitFor` of the workflow, by name. */
  readonly waitTimeouts: ReadonlyMap<string, number | undefined>;
  readonly now: () => number;
  /** Stops the run's work: with a {@link RunSuspended} when it reaches an unanswered wait. */
  readonly abort: (reason: unknown) => void;
}

/** The `kind` of `waitFor` steps, which the journal answers itself. */
export const waitForKind = 'wait-for';

/**
 * The journal of one run in the process running it: what was recorded (a completed step returns
 * its recorded output and is not called again) and what this run records, each step's output
 * appended durably before any other step sees it.
 */
export class RunJournal {
  /** Outputs of completed steps by path (last record wins); `undefined` is a void step's output. */
  private readonly completed = new Map<string, unknown>();
  /** Timeouts of waits by path, from their `waiting` records, so a re-run keeps the first deadline. */
  private readonly waitExpiries = new Map<string, number | undefined>();
  /** Steps replayed from the journal in this process. */
  replayed = 0;
  /** Steps run (and recorded) in this process. */
  recorded = 0;
  /** Set when the run reached an unanswered wait. */
  suspension: RunSuspended | undefined = undefined;

  constructor(private readonly options: RunJournalOptions) {
    for (const record of options.steps) {
      if (record.status === 'completed') this.completed.set(record.path, record.output);
      else if (record.status === 'waiting' && !this.waitExpiries.has(record.path)) {
        this.waitExpiries.set(record.path, (record.output as { expiresAt?: number } | undefined)?.expiresAt);
      }
    }
  }

  /** Runs (or replays) one step of this run: the `around` of the journal's instrumentation. */
  around<T>(execution: ExecutionInfo, run: () => Promise<T>): Promise<T> {
    const path = execution.path;
    if (this.completed.has(path)) {
      this.replayed++;
      return Promise.resolve(this.completed.get(path) as T);
    }
    if (execution.kind === waitForKind) return this.wait(execution) as Promise<T>;
    const startedAt = this.options.now();
    return run().then((output) => this.record(execution, path, output, startedAt));
  }

  private async record<T>(execution: ExecutionInfo, path: string, output: T, startedAt: number): Promise<T> {
    const text = journalText(path, output, this.options.maxStepOutputBytes);
    const record: StepRecord = {
      path,
      name: execution.name,
      kind: execution.kind,
      status: 'completed',
      // The record carries the checked JSON's value, so every store keeps exactly what resumes read.
      ...(text === undefined ? {} : { output: JSON.parse(text) as unknown }),
      startedAt,
      endedAt: this.options.now(),
    };
    await this.options.store.appendStep(this.options.runId, this.options.token, record);
    this.completed.set(path, record.output);
    this.recorded++;
    return output;
  }

  /** A `waitFor` step: the answer `resume` brought, or the run suspends here. */
  private async wait(execution: ExecutionInfo): Promise<unknown> {
    const path = execution.path;
    const { answer, now, runId, store, token } = this.options;
    const startedAt = now();
    // A wait keeps the deadline it was first given, however often the run is resumed before it.
    const timeoutMs = this.options.waitTimeouts.get(execution.name);
    const expiresAt = this.waitExpiries.has(path) ? this.waitExpiries.get(path) : timeoutMs === undefined ? undefined : startedAt + timeoutMs;
    if (answer !== undefined && answer.path === path) {
      if (expiresAt !== undefined && startedAt >= expiresAt) throw new WaitTimedOutError(runId, execution.name, expiresAt);
      return this.record(execution, path, answer.value, startedAt);
    }
    const payloadText = journalText(path, execution.input, this.options.maxStepOutputBytes);
    const payload = payloadText === undefined ? undefined : (JSON.parse(payloadText) as unknown);
    if (!this.waitExpiries.has(path)) {
      await store.appendStep(runId, token, {
        path,
        name: execution.name,
        kind: execution.kind,
        status: 'waiting',
        output: { payload, ...(expiresAt === undefined ? {} : { expiresAt }) },
        startedAt,
        endedAt: startedAt,
      });
      this.waitExpiries.set(path, expiresAt);
    }
    const suspension = new RunSuspended(execution.name, path, payload, expiresAt);
    this.suspension ??= suspension;
    this.options.abort(suspension);
    throw suspension;
  }
}
