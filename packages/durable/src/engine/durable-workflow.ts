import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidOptionsError, WorkflowContext, fingerprint, type WorkflowPrimitive } from '@tta/primitives';
import { assertSpecificationVersion, stepPaths, systemClock, type Clock, requireMethods, requireInteger, requireNonEmptyString, requireOptionsObject, requirePrimitive, setRunExtension } from '@tta/primitives/instrumentation';
import type { RunState, RunStatus, RunStore, RunUsage, SerializedError, StepStatus } from '../run-store.js';
import { RunLockedError } from '../errors/run-locked-error.js';
import { RunNotFoundError } from '../errors/run-not-found-error.js';
import { RunNotSuspendedError } from '../errors/run-not-suspended-error.js';
import { WorkflowChangedError } from '../errors/workflow-changed-error.js';
import { WaitTimedOutError } from '../errors/wait-timed-out-error.js';
import { activateJournal, journalKey } from './journal-instrumentation.js';
import { journalText } from './journalable.js';
import { RunJournal, type WaitAnswer } from './run-journal.js';
import { serializeError } from './serialize-error.js';
import { WaitForPrimitive } from './wait-for.js';
import { findNodes } from './find-nodes.js';

/** Options of {@link durable}. */
export interface DurableOptions {
  /** Names the durable workflow: its runs are listed under it. */
  readonly name: string;
  /** Where runs are kept: `MemoryRunStore`, `FileRunStore`, `RedisRunStore`... */
  readonly store: RunStore;
  /**
   * Replaces the fingerprint check on resume: runs started under the same version continue with
   * the steps whose paths still exist reused; another version fails with `WorkflowChangedError`.
   * @default undefined (a changed definition fails `resume` with `WorkflowChangedError`)
   */
  readonly version?: string;
  /** How long a run's lease lasts; renewed every third of it while the run runs. @default 15_000 */
  readonly leaseMs?: number;
  /** Largest output of one step, bytes of UTF-8 JSON; larger fails with `StepOutputTooLargeError`. @default 1_048_576 */
  readonly maxStepOutputBytes?: number;
  /** Stamps runs, steps and wait deadlines (tests pass a `ManualClock`). @default systemClock */
  readonly clock?: Pick<Clock, 'now'>;
}

/** Options of {@link DurableWorkflow.start}. */
export interface DurableStartOptions {
  /** The run's id (a queue's job id): starting an existing run continues it. @default crypto.randomUUID() */
  readonly runId?: string;
  /** Stops this process's work on the run; the run is recorded `failed` with the reason and can be resumed. */
  readonly signal?: AbortSignal;
  /** User data for the steps (`context.data`); not journaled (it may hold clients or secrets). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Options of {@link DurableWorkflow.resume}. */
export interface DurableResumeOptions {
  /** The answer to the wait the run is suspended at (checked by the wait's schema). */
  readonly value?: unknown;
  /** Stops this process's work on the run, as in `start`. */
  readonly signal?: AbortSignal;
  /** User data for the steps, as in `start`. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** How a `start` or `resume` ended, when it did not fail. */
export type RunOutcome<TOutput> =
  | { readonly status: 'completed'; readonly runId: string; readonly output: TOutput }
  | {
      readonly status: 'suspended';
      readonly runId: string;
      /** The wait: its name, its payload, and when it expires (epoch ms) when it has a timeout. */
      readonly waitingFor: { readonly name: string; readonly payload: unknown; readonly expiresAt?: number };
    };

/** One journaled step, as {@link DurableWorkflow.inspect} shows it. */
export interface InspectedStep {
  readonly path: string;
  readonly name: string;
  readonly status: StepStatus;
  readonly output?: unknown;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** A run as {@link DurableWorkflow.inspect} shows it. */
export interface RunInspection {
  readonly runId: string;
  readonly name: string;
  readonly status: RunStatus;
  readonly fingerprint: string;
  readonly version?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly steps: readonly InspectedStep[];
  readonly waitingFor?: { readonly name: string; readonly path: string; readonly payload: unknown; readonly expiresAt?: number };
  readonly output?: unknown;
  /** Why a failed run failed: message, code and cause chain. */
  readonly error?: SerializedError;
  readonly usage?: RunUsage;
}

const defaultLeaseMs = 15_000;
const defaultMaxStepOutputBytes = 1_048_576;
const owner = 'DurableWorkflow';

/**
 * A workflow whose runs survive a crash and can pause for a person: made by {@link durable}.
 * Every completed step's output is journaled under its step path; a resumed run replays them and
 * never calls a completed step again.
 */
export class DurableWorkflow<TInput, TOutput> {
  /** The durable workflow's name. */
  readonly name: string;
  /** `fingerprint(workflow)` of the wrapped workflow, recorded with each run. */
  readonly fingerprint: string;
  /** The version runs are started under, when one was given. */
  readonly version: string | undefined;
  private readonly store: RunStore;
  private readonly leaseMs: number;
  private readonly maxStepOutputBytes: number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly waits = new Map<string, WaitForPrimitive<unknown, unknown>>();
  private definitionPaths: Set<string> | undefined;
  private readonly waitTimeouts = new Map<string, number | undefined>();
  private readonly ownerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly workflow: WorkflowPrimitive<TInput, TOutput>,
    options: DurableOptions,
  ) {
    requirePrimitive(owner, 'workflow', workflow);
    requireOptionsObject(owner, options, { known: ['name', 'store', 'version', 'leaseMs', 'maxStepOutputBytes', 'clock'] });
    requireMethods(owner, 'clock', options.clock, { optional: true, methods: ['now'], description: 'an object with now()' });
    requireNonEmptyString(owner, 'name', options.name);
    requireNonEmptyString(owner, 'version', options.version, { optional: true });
    requireInteger(owner, 'leaseMs', options.leaseMs, { optional: true, min: 10 });
    requireInteger(owner, 'maxStepOutputBytes', options.maxStepOutputBytes, { optional: true, min: 1 });
    if (typeof options.store !== 'object' || options.store === null) throw new InvalidOptionsError(owner, 'store', 'must be a RunStore');
    assertSpecificationVersion(owner, 'store', options.store);
    this.name = options.name;
    this.store = options.store;
    this.version = options.version;
    this.leaseMs = options.leaseMs ?? defaultLeaseMs;
    this.maxStepOutputBytes = options.maxStepOutputBytes ?? defaultMaxStepOutputBytes;
    this.clock = options.clock ?? systemClock;
    this.fingerprint = fingerprint(workflow);
    for (const wait of findNodes(workflow, (node): node is WaitForPrimitive<unknown, unknown> => node instanceof WaitForPrimitive)) {
      const known = this.waits.get(wait.name);
      if (known !== undefined && (known.schema !== wait.schema || known.timeoutMs !== wait.timeoutMs)) {
        throw new InvalidOptionsError(owner, 'workflow', `has two waitFor("${wait.name}") with different options: give each its own name`);
      }
      this.waits.set(wait.name, wait);
      this.waitTimeouts.set(wait.name, wait.timeoutMs);
    }
  }

  /**
   * Starts a run (or, for the `runId` of an existing run, continues it as `resume` without a value
   * would: a re-delivered job is harmless). Resolves to the outcome; rejects with the run's error
   * when it fails (the run is recorded `failed` and can be resumed).
   */
  async start(input: TInput, options: DurableStartOptions = {}): Promise<RunOutcome<TOutput>> {
    requireOptionsObject(`${owner}.start`, options, { known: ['runId', 'signal', 'data'] });
    requireNonEmptyString(`${owner}.start`, 'runId', options.runId, { optional: true });
    requireRunSignalAndData(`${owner}.start`, options);
    // An already aborted signal must not touch the run: not even create it.
    options.signal?.throwIfAborted();
    const runId = options.runId ?? randomUUID();
    const inputText = journalText('(input)', input, this.maxStepOutputBytes);
    const { created, state } = await this.store.createRun({
      runId,
      name: this.name,
      fingerprint: this.fingerprint,
      ...(this.version === undefined ? {} : { version: this.version }),
      createdAt: this.clock.now(),
      input: inputText === undefined ? undefined : JSON.parse(inputText),
    });
    if (!created) return this.continueRun(runId, false, undefined, options.signal, options.data);
    const token = await this.store.acquireLease(runId, this.ownerId, this.leaseMs);
    if (token === undefined) throw new RunLockedError(runId);
    return this.advance(state, token, undefined, options.signal, options.data);
  }

  /**
   * Continues a run from its journal: completed steps return their recorded outputs without being
   * called. With `value`, answers the wait the run is suspended at. Rejects with
   * `RunNotFoundError`, `WorkflowChangedError`, `RunLockedError` (another process runs it),
   * `RunNotSuspendedError` (a value for a run that waits for nothing), `ValidationError` (the
   * wait's schema refused the value; the run stays suspended), `WaitTimedOutError`, or the run's
   * own error.
   */
  resume(runId: string, options: DurableResumeOptions = {}): Promise<RunOutcome<TOutput>> {
    try {
      requireNonEmptyString(`${owner}.resume`, 'runId', runId);
      requireOptionsObject(`${owner}.resume`, options, { known: ['value', 'signal', 'data'] });
      requireRunSignalAndData(`${owner}.resume`, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const answering = Object.hasOwn(options, 'value');
    return this.continueRun(runId, answering, options.value, options.signal, options.data);
  }

  /** The run with its journal, or `undefined` when this workflow has no such run. */
  async inspect(runId: string): Promise<RunInspection | undefined> {
    let state = await this.load(runId);
    if (state === undefined) return undefined;
    if ((await this.expireIfDue(state)) !== undefined) state = (await this.load(runId)) ?? state;
    const { header } = state;
    return {
      runId,
      name: header.name,
      status: state.status,
      fingerprint: header.fingerprint,
      ...(header.version === undefined ? {} : { version: header.version }),
      createdAt: header.createdAt,
      updatedAt: state.updatedAt,
      steps: state.steps.map((record) => ({
        path: record.path,
        name: record.name,
        status: record.status,
        ...(record.output === undefined ? {} : { output: record.output }),
        startedAt: record.startedAt,
        endedAt: record.endedAt,
      })),
      ...(state.waitingFor === undefined ? {} : { waitingFor: state.waitingFor }),
      ...(state.output === undefined ? {} : { output: state.output }),
      ...(state.error === undefined ? {} : { error: state.error }),
      ...(state.usage === undefined ? {} : { usage: state.usage }),
    };
  }

  /** This workflow's runs, most recently updated first; an expired wait is failed on the way. */
  async list(query: { readonly status?: RunStatus; readonly limit?: number } = {}): Promise<readonly { runId: string; name: string; status: RunStatus; updatedAt: number }[]> {
    requireOptionsObject(`${owner}.list`, query, { known: ['status', 'limit'] });
    const runs = await this.store.listRuns({ name: this.name, ...query });
    const listed = [];
    for (const run of runs) {
      if (run.status === 'suspended') {
        const state = await this.store.loadRun(run.runId);
        const expired = state === undefined ? undefined : await this.expireIfDue(state);
        if (expired !== undefined) {
          if (query.status === undefined || query.status === 'failed') listed.push({ ...run, status: 'failed' as const, updatedAt: this.clock.now() });
          continue;
        }
      }
      listed.push({ runId: run.runId, name: run.name, status: run.status, updatedAt: run.updatedAt });
    }
    return listed;
  }

  /**
   * Cancels a run that no process is running (suspended, failed, or whose owner died and whose
   * lease expired): it is recorded `cancelled` and can no longer be resumed. A finished run is
   * left as it is; a run another process holds rejects with `RunLockedError` (abort the signal
   * given to its `start`/`resume` to stop it there).
   */
  async cancel(runId: string): Promise<void> {
    const state = await this.load(runId);
    if (state === undefined) throw new RunNotFoundError(runId);
    if (state.status === 'completed' || state.status === 'cancelled') return;
    const token = await this.store.acquireLease(runId, this.ownerId, this.leaseMs);
    if (token === undefined) throw new RunLockedError(runId);
    try {
      // Read again under the lease: another process may have finished the run since the check above.
      const now = await this.load(runId);
      if (now === undefined || now.status === 'completed' || now.status === 'cancelled') return;
      await this.store.setStatus(runId, token, { status: 'cancelled' });
    } finally {
      await this.store.releaseLease(runId, token);
    }
  }

  private async load(runId: string): Promise<RunState | undefined> {
    const state = await this.store.loadRun(runId);
    return state === undefined || state.header.name !== this.name ? undefined : state;
  }

  private async continueRun(runId: string, answering: boolean, value: unknown, signal: AbortSignal | undefined, data: Readonly<Record<string, unknown>> | undefined): Promise<RunOutcome<TOutput>> {
    // A resume cancelled before it starts leaves the run as it is (a suspended run stays suspended).
    signal?.throwIfAborted();
    const before = await this.load(runId);
    if (before === undefined) throw new RunNotFoundError(runId);
    this.checkDefinition(before);
    const settled = await this.settledOutcome(before, answering);
    if (settled !== undefined) return settled;
    const token = await this.store.acquireLease(runId, this.ownerId, this.leaseMs);
    if (token === undefined) throw new RunLockedError(runId);
    let answer: WaitAnswer | undefined;
    let state: RunState | undefined;
    try {
      // Read again under the lease: another process may have finished or answered the run meanwhile.
      state = await this.load(runId);
      if (state === undefined) throw new RunNotFoundError(runId);
      const now = await this.settledOutcome(state, answering);
      if (now !== undefined) {
        await this.store.releaseLease(runId, token);
        return now;
      }
      if (answering) {
        const wait = state.waitingFor!;
        const checked = (await this.waits.get(wait.name)?.check(value)) ?? value;
        journalText(wait.path, checked, this.maxStepOutputBytes);
        answer = { path: wait.path, value: checked };
      } else if (state.status === 'suspended') {
        // Nothing answers the wait: running again would stop at the same place.
        await this.store.releaseLease(runId, token);
        return suspendedOutcome(runId, state.waitingFor!);
      }
      signal?.throwIfAborted();
      await this.store.setStatus(runId, token, { status: 'running' });
    } catch (error) {
      await this.store.releaseLease(runId, token).catch(() => undefined);
      throw error;
    }
    return this.advance(state, token, answer, signal, data);
  }

  /** The outcome of a run that needs no work (or the error it must fail with), else `undefined`. */
  private async settledOutcome(state: RunState, answering: boolean): Promise<RunOutcome<TOutput> | undefined> {
    const { runId } = state.header;
    if (state.status === 'completed') {
      if (answering) throw new RunNotSuspendedError(runId, state.status);
      return { status: 'completed', runId, output: state.output as TOutput };
    }
    if (state.status === 'cancelled') throw new RunNotSuspendedError(runId, state.status);
    const expired = await this.expireIfDue(state);
    if (expired !== undefined) throw expired;
    if (answering && state.status !== 'suspended') throw new RunNotSuspendedError(runId, state.status);
    return undefined;
  }

  /** Records a suspended run whose wait expired as failed; returns the error, or `undefined`. */
  private async expireIfDue(state: RunState): Promise<WaitTimedOutError | undefined> {
    const wait = state.waitingFor;
    if (state.status === 'failed' && state.error?.code === 'WAIT_TIMED_OUT') {
      return new WaitTimedOutError(state.header.runId, wait?.name ?? 'a wait', wait?.expiresAt ?? state.updatedAt);
    }
    if (state.status !== 'suspended' || wait?.expiresAt === undefined || this.clock.now() < wait.expiresAt) return undefined;
    const { runId } = state.header;
    const error = new WaitTimedOutError(runId, wait.name, wait.expiresAt);
    // Under the lease, and read again: another process (whose clock may be behind) can have answered
    // and completed the run since it was read, and a blind write would turn it into a failure.
    const token = await this.store.acquireLease(runId, this.ownerId, this.leaseMs);
    // Someone holds the run (a resume racing this one): it sees the expiry itself.
    if (token === undefined) return error;
    try {
      const now = await this.load(runId);
      if (now === undefined || now.status !== 'suspended' || now.waitingFor?.path !== wait.path) return undefined;
      await this.store.setStatus(runId, token, { status: 'failed', error: serializeError(error), waitingFor: wait });
    } finally {
      await this.store.releaseLease(runId, token).catch(() => undefined);
    }
    return error;
  }

  private checkDefinition(state: RunState): void {
    const { header } = state;
    if (this.version !== undefined || header.version !== undefined) {
      if (header.version !== this.version) {
        throw new WorkflowChangedError(header.runId, `version ${quote(header.version)} was recorded, the workflow now has version ${quote(this.version)}`);
      }
      return;
    }
    if (header.fingerprint !== this.fingerprint) {
      throw new WorkflowChangedError(
        header.runId,
        `fingerprint ${header.fingerprint.slice(0, 12)}… was recorded, the workflow now has ${this.fingerprint.slice(0, 12)}…; ${this.pathDifference(state)}; give durable() a version to reuse the recorded steps across compatible edits`,
      );
    }
  }

  /** Which recorded steps the current definition no longer has, in words. */
  private pathDifference(state: RunState): string {
    const known = (this.definitionPaths ??= new Set(stepPaths(this.workflow)));
    const missing = new Set<string>();
    for (const record of state.steps) {
      // Occurrence suffixes come from the run, not the definition.
      const path = record.path.replace(/#\d+(?=\/|$)/g, '');
      if (!known.has(path)) missing.add(path);
    }
    if (missing.size === 0) return 'every recorded step path still exists, so a step was added, reordered or relabelled, or an option changed';
    const shown = [...missing].slice(0, 5).join(', ');
    return `recorded steps no longer in the workflow: ${shown}${missing.size > 5 ? ` and ${missing.size - 5} more` : ''}`;
  }

  /** Runs the workflow under the lease `token`, journaling its steps, until it completes, suspends or fails. */
  private async advance(state: RunState, token: string, answer: WaitAnswer | undefined, signal: AbortSignal | undefined, data: Readonly<Record<string, unknown>> | undefined): Promise<RunOutcome<TOutput>> {
    const { runId } = state.header;
    const store = this.store;
    const controller = new AbortController();
    const forwardAbort = (): void => controller.abort(signal!.reason);
    if (signal !== undefined) {
      if (signal.aborted) forwardAbort();
      else signal.addEventListener('abort', forwardAbort, { once: true });
    }
    const journal = new RunJournal({
      store,
      runId,
      token,
      steps: state.steps,
      answer,
      maxStepOutputBytes: this.maxStepOutputBytes,
      waitTimeouts: this.waitTimeouts,
      now: () => this.clock.now(),
      abort: (reason) => controller.abort(reason),
    });
    const renewal = setInterval(() => {
      store.renewLease(runId, token, this.leaseMs).then(
        (held) => {
          if (!held) controller.abort(new RunLockedError(runId));
        },
        (error: unknown) => controller.abort(error),
      );
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    const deactivate = activateJournal();
    const context = WorkflowContext.create({ runId, signal: controller.signal, ...(data === undefined ? {} : { data }) });
    setRunExtension(context, journalKey, journal);
    const usageBefore = state.usage;
    try {
      let output: TOutput;
      try {
        output = await this.workflow.execute(context, state.header.input as TInput);
      } catch (error) {
        if (journal.suspension !== undefined) return await this.suspend(runId, token, journal, addUsage(usageBefore, context, journal.replayedUsage));
        await store.setStatus(runId, token, { status: 'failed', error: serializeError(error), ...usageUpdate(usageBefore, context, journal.replayedUsage) }).catch(() => undefined);
        throw error;
      }
      // A wait reached inside a fallback or a settle-mode parallel may not reject the run: it still waits.
      if (journal.suspension !== undefined) return await this.suspend(runId, token, journal, addUsage(usageBefore, context, journal.replayedUsage));
      const text = journalText(this.name, output, this.maxStepOutputBytes);
      await store.setStatus(runId, token, { status: 'completed', ...(text === undefined ? {} : { output: JSON.parse(text) as unknown }), ...usageUpdate(usageBefore, context, journal.replayedUsage) });
      return { status: 'completed', runId, output };
    } finally {
      clearInterval(renewal);
      signal?.removeEventListener('abort', forwardAbort);
      deactivate();
      await store.releaseLease(runId, token).catch(() => undefined);
    }
  }

  private async suspend(runId: string, token: string, journal: RunJournal, usage: RunUsage | undefined): Promise<RunOutcome<TOutput>> {
    const suspension = journal.suspension!;
    const waitingFor = {
      name: suspension.waitName,
      path: suspension.path,
      payload: suspension.payload,
      ...(suspension.expiresAt === undefined ? {} : { expiresAt: suspension.expiresAt }),
    };
    await this.store.setStatus(runId, token, { status: 'suspended', waitingFor, ...(usage === undefined ? {} : { usage }) });
    return suspendedOutcome(runId, waitingFor);
  }
}

function suspendedOutcome<TOutput>(runId: string, wait: { readonly name: string; readonly payload: unknown; readonly expiresAt?: number }): RunOutcome<TOutput> {
  return { status: 'suspended', runId, waitingFor: { name: wait.name, payload: wait.payload, ...(wait.expiresAt === undefined ? {} : { expiresAt: wait.expiresAt }) } };
}

/**
 * The run's usage: what earlier sessions journaled plus what this one spent; the usage replayed
 * steps reported again (so that budgets count it) is in the journaled part already.
 */
function addUsage(before: RunUsage | undefined, context: WorkflowContext, replayed: RunUsage): RunUsage | undefined {
  const now = context.usage;
  if (now.calls === replayed.calls && before === undefined) return undefined;
  return {
    calls: (before?.calls ?? 0) + now.calls - replayed.calls,
    inputTokens: (before?.inputTokens ?? 0) + now.inputTokens - replayed.inputTokens,
    outputTokens: (before?.outputTokens ?? 0) + now.outputTokens - replayed.outputTokens,
    costUsd: (before?.costUsd ?? 0) + now.costUsd - replayed.costUsd,
  };
}

function usageUpdate(before: RunUsage | undefined, context: WorkflowContext, replayed: RunUsage): { usage?: RunUsage } {
  const usage = addUsage(before, context, replayed);
  return usage === undefined ? {} : { usage };
}

/** A `signal` that is not an `AbortSignal`, or `data` that is not an object, is refused before the run is touched. */
function requireRunSignalAndData(where: string, options: { readonly signal?: unknown; readonly data?: unknown }): void {
  const { signal, data } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidOptionsError(where, 'signal', `must be an AbortSignal (got ${typeof signal})`);
  if (data !== undefined && (data === null || typeof data !== 'object')) throw new InvalidOptionsError(where, 'data', `must be an object (got ${data === null ? 'null' : typeof data})`);
}

const quote = (version: string | undefined): string => (version === undefined ? '(none)' : `"${version}"`);

/**
 * Makes `workflow` durable: each run is journaled in `store` under its step paths, survives a
 * crash (resume it from any process), and can pause at a `waitFor` for a person. A completed step
 * is never called again for the same run; the step running at a crash runs again with the same
 * `context.idempotencyKey`.
 *
 * @example
 * ```ts
 * const fetchOrder = step('fetch-order', async (id: string) => ({ id, cents: 1200 }));
 * const approve = waitFor<{ id: string; cents: number }, boolean>('approval');
 * const refunds = durable(fetchOrder.pipe(approve), { name: 'refunds', store: new MemoryRunStore() });
 * const first = await refunds.start('o-1');
 * if (first.status === 'suspended') await refunds.resume(first.runId, { value: true });
 * ```
 */
export function durable<TInput, TOutput>(workflow: WorkflowPrimitive<TInput, TOutput>, options: DurableOptions): DurableWorkflow<TInput, TOutput> {
  return new DurableWorkflow(workflow, options);
}
