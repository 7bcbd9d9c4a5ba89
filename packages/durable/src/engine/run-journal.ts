import type { ExecutionInfo } from '@tta/primitives/instrumentation';
import type { RunStore, RunUsage, StepRecord } from '../run-store.js';
import { journalText } from './journalable.js';
import { inputDigest } from './input-digest.js';
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

/** The model name under which a replayed step's journaled usage is reported again. */
export const journaledModel = 'journaled';

/** The `kind` of `waitFor` steps, which the journal answers itself. */
export const waitForKind = 'wait-for';

/**
 * The journal of one run in the process running it: what was recorded (a completed step returns
 * its recorded output and is not called again) and what this run records, each step's output
 * appended durably before any other step sees it.
 */
export class RunJournal {
  /** Completed steps by path (last record wins): the output (`undefined` for a void step) and what the step spent. */
  private readonly completed = new Map<string, { readonly output: unknown; readonly usage: RunUsage | undefined; readonly inputDigest: string | undefined }>();
  /** What each path's subtree spent in this session (a report counts for the step and every ancestor). */
  private readonly usageByPath = new Map<string, { calls: number; inputTokens: number; outputTokens: number; costUsd: number }>();
  /**
   * What earlier sessions spent in executions that then failed, by path (the sum of its `failed`
   * records): reported again once when the path runs again, so a budget around it counts a failed
   * session's spend.
   */
  private readonly failedUsage = new Map<string, RunUsage>();
  /** What records written in this session hold of each path's subtree, so an ancestor's failure journals only the rest. */
  private readonly coveredByPath = new Map<string, RunUsage>();
  /** What replayed steps re-reported in this session: already in the run's journaled usage. */
  readonly replayedUsage = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  /** Timeouts of waits by path, from their `waiting` records, so a re-run keeps the first deadline. */
  private readonly waitExpiries = new Map<string, number | undefined>();
  /** Each journaled execution's context, to its path: usage reports name their step by it. */
  private readonly pathByContext = new WeakMap<object, string>();
  /** Steps replayed from the journal in this process. */
  replayed = 0;
  /** Steps run (and recorded) in this process. */
  recorded = 0;
  /** Set when the run reached an unanswered wait. */
  suspension: RunSuspended | undefined = undefined;

  constructor(private readonly options: RunJournalOptions) {
    for (const record of options.steps) {
      if (record.status === 'completed') this.completed.set(record.path, { output: record.output, usage: record.usage, inputDigest: record.inputDigest });
      else if (record.status === 'failed' && record.usage !== undefined) {
        const earlier = this.failedUsage.get(record.path);
        this.failedUsage.set(record.path, earlier === undefined ? record.usage : add(earlier, record.usage));
      }
      else if (record.status === 'waiting' && !this.waitExpiries.has(record.path)) {
        this.waitExpiries.set(record.path, (record.output as { expiresAt?: number } | undefined)?.expiresAt);
      }
    }
  }

  /** Runs (or replays) one step of this run: the `around` of the journal's instrumentation. */
  around<T>(execution: ExecutionInfo, run: () => Promise<T>): Promise<T> {
    const path = execution.path;
    const recorded = this.completed.get(path);
    const digest = inputDigest(execution.input);
    // A record made for another input (calls numbered in another order) is not this call's output: it runs again.
    if (recorded !== undefined && (recorded.inputDigest === undefined || recorded.inputDigest === digest)) {
      this.replayed++;
      if (recorded.usage !== undefined && recorded.usage.calls > 0) this.replayUsage(execution, recorded.usage);
      return Promise.resolve(recorded.output as T);
    }
    if (execution.kind === waitForKind) return this.wait(execution, digest) as Promise<T>;
    // The idempotency key of a retry's attempts leaves out their `#n`: usage is matched by the path itself.
    this.pathByContext.set(execution.context, path);
    const failed = this.failedUsage.get(path);
    if (failed !== undefined) {
      // Reported before the step runs, inside the same budgets, so its first checkBudget already counts it.
      this.failedUsage.delete(path);
      if (failed.calls > 0) {
        this.replayUsage(execution, failed);
        // Journaled already: a failure here records only what this session spends on top of it.
        this.cover(path, failed, true);
      }
    }
    const startedAt = this.options.now();
    return run().then(
      (output) => this.record(execution, path, output, startedAt, digest),
      (error: unknown) => this.recordFailure(execution, path, error, startedAt),
    );
  }

  /**
   * Notes a model call's usage reported by a step of this run, for the step and each ancestor: a
   * recorded step keeps what its subtree spent, so that replaying it spends it again in the run's
   * totals and in every `budget` around it, and a budget holds across resumes.
   */
  noteUsage(context: ExecutionInfo['context'], report: { readonly inputTokens: number; readonly outputTokens: number; readonly costUsd?: number }): void {
    let path = this.pathByContext.get(context);
    if (path === undefined) {
      const key = context.idempotencyKey;
      if (key === undefined) return;
      path = key.slice(this.options.runId.length + 1);
    }
    for (let end = path.length; end > 0; end = path.lastIndexOf('/', end - 1)) {
      const prefix = path.slice(0, end);
      let totals = this.usageByPath.get(prefix);
      if (totals === undefined) this.usageByPath.set(prefix, (totals = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }));
      totals.calls++;
      totals.inputTokens += report.inputTokens;
      totals.outputTokens += report.outputTokens;
      totals.costUsd += report.costUsd ?? 0;
    }
  }

  /** Reports a replayed step's recorded usage again: its first call carries the amounts, the others count calls. */
  private replayUsage(execution: ExecutionInfo, usage: RunUsage): void {
    for (let call = 0; call < usage.calls; call++) {
      const first = call === 0;
      execution.context.reportUsage({ model: journaledModel, inputTokens: first ? usage.inputTokens : 0, outputTokens: first ? usage.outputTokens : 0, costUsd: first ? usage.costUsd : 0 });
    }
    const replayed = this.replayedUsage;
    replayed.calls += usage.calls;
    replayed.inputTokens += usage.inputTokens;
    replayed.outputTokens += usage.outputTokens;
    replayed.costUsd += usage.costUsd;
  }

  /**
   * Journals what a failed execution spent that no record of this session under it holds already
   * (only the deepest failing step that spent carries it, so ancestors do not count it twice), then
   * rethrows the failure.
   */
  private async recordFailure(execution: ExecutionInfo, path: string, error: unknown, startedAt: number): Promise<never> {
    const rest = subtract(this.usageByPath.get(path), this.coveredByPath.get(path));
    if (rest.calls > 0) {
      const record: StepRecord = { path, name: execution.name, kind: execution.kind, status: 'failed', startedAt, endedAt: this.options.now(), usage: rest };
      // A journal that cannot be written (a lost lease) must not hide why the step failed.
      const written = await this.options.store.appendStep(this.options.runId, this.options.token, record).then(() => true, () => false);
      if (written) this.cover(path, rest);
    }
    throw error;
  }

  /** Notes that the journal holds `usage` of each ancestor's subtree (and of the path's own, with `self`). */
  private cover(path: string, usage: RunUsage, self = false): void {
    for (let end = self ? path.length : path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
      const prefix = path.slice(0, end);
      const covered = this.coveredByPath.get(prefix);
      this.coveredByPath.set(prefix, covered === undefined ? { ...usage } : add(covered, usage));
    }
  }

  private async record<T>(execution: ExecutionInfo, path: string, output: T, startedAt: number, digest: string | undefined): Promise<T> {
    const text = journalText(path, output, this.options.maxStepOutputBytes);
    const spent = this.usageByPath.get(path);
    const record: StepRecord = {
      path,
      name: execution.name,
      kind: execution.kind,
      status: 'completed',
      // The record carries the checked JSON's value, so every store keeps exactly what resumes read.
      ...(text === undefined ? {} : { output: JSON.parse(text) as unknown }),
      startedAt,
      endedAt: this.options.now(),
      ...(spent === undefined ? {} : { usage: { ...spent } }),
      ...(digest === undefined ? {} : { inputDigest: digest }),
    };
    await this.options.store.appendStep(this.options.runId, this.options.token, record);
    if (spent !== undefined) this.cover(path, subtract(spent, this.coveredByPath.get(path)));
    this.completed.set(path, { output: record.output, usage: record.usage, inputDigest: digest });
    this.recorded++;
    return output;
  }

  /** A `waitFor` step: the answer `resume` brought, or the run suspends here. */
  private async wait(execution: ExecutionInfo, digest: string | undefined): Promise<unknown> {
    const path = execution.path;
    const { answer, now, runId, store, token } = this.options;
    const startedAt = now();
    // A wait keeps the deadline it was first given, however often the run is resumed before it.
    const timeoutMs = this.options.waitTimeouts.get(execution.name);
    const expiresAt = this.waitExpiries.has(path) ? this.waitExpiries.get(path) : timeoutMs === undefined ? undefined : startedAt + timeoutMs;
    if (answer !== undefined && answer.path === path) {
      if (expiresAt !== undefined && startedAt >= expiresAt) throw new WaitTimedOutError(runId, execution.name, expiresAt);
      return this.record(execution, path, answer.value, startedAt, digest);
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

function add(a: RunUsage, b: RunUsage): RunUsage {
  return { calls: a.calls + b.calls, inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, costUsd: a.costUsd + b.costUsd };
}

/** `a - b`, where `b` is a part of `a` (either may be absent: nothing). */
function subtract(a: RunUsage | undefined, b: RunUsage | undefined): RunUsage {
  const zero = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const from = a ?? zero;
  const part = b ?? zero;
  return { calls: from.calls - part.calls, inputTokens: from.inputTokens - part.inputTokens, outputTokens: from.outputTokens - part.outputTokens, costUsd: from.costUsd - part.costUsd };
}
