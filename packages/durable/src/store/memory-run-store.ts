import { randomUUID } from 'node:crypto';
import { requireInteger, requireMethods, requireOptionsObject, systemClock, type Clock } from '@tta/primitives/instrumentation';
import type { RunHeader, RunQuery, RunState, RunStatus, RunStatusUpdate, RunStore, RunSummary, RunUsage, StepRecord } from '../run-store.js';
import { RunLockedError } from '../errors/run-locked-error.js';
import { RunNotFoundError } from '../errors/run-not-found-error.js';
import { encodeRunJson } from './encode-json.js';
import { isRunExpired, isRunFinished, resolveRetentionMs } from './run-retention.js';
import { assertRunHeader, assertLeaseMs, assertLeaseOwner, assertRunId, assertRunStatusUpdate, assertStepRecord, assertLeaseToken, normaliseRunQuery } from './validate-run-store-input.js';

const storeName = 'MemoryRunStore';

/** Options of {@link MemoryRunStore}. */
export interface MemoryRunStoreOptions {
  /**
   * How long a finished run (completed, failed or cancelled) is kept after its last change.
   * `Infinity` keeps them (up to `maxFinishedRuns`).
   * @default 604_800_000 (7 days)
   */
  readonly retentionMs?: number;
  /**
   * The most finished runs kept at once: beyond it, the longest-finished run is removed first, so
   * memory stays bounded however many runs go through. Running and suspended runs are never removed.
   * @default 10_000
   */
  readonly maxFinishedRuns?: number;
  /** Time source for `updatedAt`, lease expiry and retention. @default systemClock */
  readonly clock?: Pick<Clock, 'now'>;
}

interface Lease {
  readonly token: string;
  readonly owner: string;
  expiresAt: number;
}

// Everything kept as JSON text, as a durable store keeps it: a caller can neither change a stored
// value through a reference nor store something a durable store would give back differently.
interface MemoryRun {
  readonly name: string;
  readonly headerJson: string;
  status: RunStatus;
  updatedAt: number;
  readonly stepsJson: string[];
  statusJson: string | undefined;
  usageJson: string | undefined;
  lease: Lease | undefined;
}

/**
 * A {@link RunStore} in this process's memory: for tests and for runs that need no crash safety
 * (a process that dies takes its runs with it). Bounded: finished runs are removed after
 * `retentionMs`, and at most `maxFinishedRuns` of them are kept.
 *
 * @example
 * ```ts
 * const store = new MemoryRunStore({ retentionMs: 60 * 60 * 1_000 });
 * const { created } = await store.createRun({ runId: 'r1', name: 'triage', fingerprint: 'f', createdAt: Date.now(), input: null });
 * ```
 */
export class MemoryRunStore implements RunStore {
  /** The version of the `RunStore` interface this store implements. */
  readonly specificationVersion = 1 as const;
  private readonly runs = new Map<string, MemoryRun>();
  // Finished run ids, longest-finished first (re-inserted on every change): retention and the cap pop from the front.
  private readonly finished = new Map<string, true>();
  private readonly retentionMs: number;
  private readonly maxFinishedRuns: number;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(options: MemoryRunStoreOptions = {}) {
    requireOptionsObject(storeName, options, { known: ['retentionMs', 'maxFinishedRuns', 'clock'] });
    this.retentionMs = resolveRetentionMs(storeName, options.retentionMs);
    requireInteger(storeName, 'maxFinishedRuns', options.maxFinishedRuns, { optional: true, min: 1, infinity: true });
    this.maxFinishedRuns = options.maxFinishedRuns ?? 10_000;
    requireMethods(storeName, 'clock', options.clock, { optional: true, methods: ['now'], description: 'an object with now()' });
    this.clock = options.clock ?? systemClock;
  }

  /** Writes the header if the run does not exist; returns the current state either way. */
  async createRun(header: RunHeader): Promise<{ readonly created: boolean; readonly state: RunState }> {
    assertRunHeader(storeName, header);
    this.sweep();
    const existing = this.live(header.runId);
    if (existing !== undefined) return { created: false, state: toState(existing) };
    const run: MemoryRun = {
      name: header.name,
      headerJson: encodeRunJson(header, 'header'),
      status: 'running',
      updatedAt: this.clock.now(),
      stepsJson: [],
      statusJson: undefined,
      usageJson: undefined,
      lease: undefined,
    };
    this.runs.set(header.runId, run);
    return { created: true, state: toState(run) };
  }

  /** The run, or `undefined`. */
  async loadRun(runId: string): Promise<RunState | undefined> {
    assertRunId(storeName, runId);
    const run = this.live(runId);
    return run === undefined ? undefined : toState(run);
  }

  /** Takes the run's lease, or `undefined` while another live owner holds it. */
  async acquireLease(runId: string, owner: string, leaseMs: number): Promise<string | undefined> {
    assertRunId(storeName, runId);
    assertLeaseOwner(storeName, owner);
    assertLeaseMs(storeName, leaseMs);
    const run = this.existing(runId);
    const now = this.clock.now();
    if (run.lease !== undefined && run.lease.expiresAt > now) return undefined;
    const token = randomUUID();
    run.lease = { token, owner, expiresAt: now + leaseMs };
    return token;
  }

  /** Extends the lease `token` holds; `false` when it no longer holds it. */
  async renewLease(runId: string, token: string, leaseMs: number): Promise<boolean> {
    assertRunId(storeName, runId);
    assertLeaseToken(storeName, token);
    assertLeaseMs(storeName, leaseMs);
    const run = this.existing(runId);
    const now = this.clock.now();
    if (!holds(run, token, now)) return false;
    run.lease!.expiresAt = now + leaseMs;
    return true;
  }

  /** Frees the lease if `token` holds it. */
  async releaseLease(runId: string, token: string): Promise<void> {
    assertRunId(storeName, runId);
    assertLeaseToken(storeName, token);
    const run = this.runs.get(runId);
    if (run?.lease?.token === token) run.lease = undefined;
  }

  /** Appends a record while `token` holds the lease. */
  async appendStep(runId: string, token: string, record: StepRecord): Promise<void> {
    assertRunId(storeName, runId);
    assertLeaseToken(storeName, token);
    assertStepRecord(storeName, record);
    const run = this.existing(runId);
    if (!holds(run, token, this.clock.now())) throw new RunLockedError(runId);
    run.stepsJson.push(encodeRunJson(record, record.path));
    run.updatedAt = this.clock.now();
  }

  /** Sets the run's status (with the lease `token`, or while nobody holds the lease). */
  async setStatus(runId: string, token: string | undefined, update: RunStatusUpdate): Promise<void> {
    assertRunId(storeName, runId);
    if (token !== undefined) assertLeaseToken(storeName, token);
    assertRunStatusUpdate(storeName, update);
    const run = this.existing(runId);
    const now = this.clock.now();
    const allowed = token === undefined ? run.lease === undefined || run.lease.expiresAt <= now : holds(run, token, now);
    if (!allowed) throw new RunLockedError(runId);
    const { status, usage, ...carried } = update;
    const statusJson = Object.keys(carried).length === 0 ? undefined : encodeRunJson(carried, 'status');
    const usageJson = usage === undefined ? run.usageJson : encodeRunJson(usage, 'usage');
    run.status = status;
    run.statusJson = statusJson;
    run.usageJson = usageJson;
    run.updatedAt = now;
    this.finished.delete(runId);
    if (isRunFinished(status)) {
      this.finished.set(runId, true);
      this.capFinished();
    }
  }

  /** Runs matching `query`, most recently updated first. */
  async listRuns(query?: RunQuery): Promise<readonly RunSummary[]> {
    const { name, status, limit } = normaliseRunQuery(storeName, query);
    this.sweep();
    const matches: RunSummary[] = [];
    for (const [runId, run] of this.runs) {
      if (status !== undefined && run.status !== status) continue;
      if (name !== undefined && run.name !== name) continue;
      matches.push({ runId, name: run.name, status: run.status, updatedAt: run.updatedAt });
    }
    return matches.sort((left, right) => right.updatedAt - left.updatedAt).slice(0, limit);
  }

  /** Removes the run, its journal and its lease. */
  async deleteRun(runId: string): Promise<void> {
    assertRunId(storeName, runId);
    this.runs.delete(runId);
    this.finished.delete(runId);
  }

  /** Forgets every run. */
  async close(): Promise<void> {
    this.runs.clear();
    this.finished.clear();
  }

  /** The run, unless it does not exist or is past its retention (then it is removed). */
  private live(runId: string): MemoryRun | undefined {
    const run = this.runs.get(runId);
    if (run === undefined) return undefined;
    if (!isRunExpired(run.status, run.updatedAt, this.clock.now(), this.retentionMs)) return run;
    this.runs.delete(runId);
    this.finished.delete(runId);
    return undefined;
  }

  private existing(runId: string): MemoryRun {
    const run = this.live(runId);
    if (run === undefined) throw new RunNotFoundError(runId);
    return run;
  }

  // The finished map is in finishing order, so the expired runs are at its front: each call removes
  // only what expired, and stops at the first run still kept.
  private sweep(): void {
    const now = this.clock.now();
    for (const runId of this.finished.keys()) {
      const run = this.runs.get(runId);
      if (run !== undefined && !isRunExpired(run.status, run.updatedAt, now, this.retentionMs)) return;
      this.runs.delete(runId);
      this.finished.delete(runId);
    }
  }

  private capFinished(): void {
    for (const runId of this.finished.keys()) {
      if (this.finished.size <= this.maxFinishedRuns) return;
      this.runs.delete(runId);
      this.finished.delete(runId);
    }
  }
}

function holds(run: MemoryRun, token: string, now: number): boolean {
  return run.lease !== undefined && run.lease.token === token && run.lease.expiresAt > now;
}

function toState(run: MemoryRun): RunState {
  const carried = run.statusJson === undefined ? {} : (JSON.parse(run.statusJson) as object);
  return {
    header: JSON.parse(run.headerJson) as RunHeader,
    status: run.status,
    updatedAt: run.updatedAt,
    steps: run.stepsJson.map((json) => JSON.parse(json) as StepRecord),
    ...carried,
    ...(run.usageJson === undefined ? {} : { usage: JSON.parse(run.usageJson) as RunUsage }),
  };
}
