/** Where a run stands. `failed` runs can be resumed (they try again from the journal); `completed` and `cancelled` are final. */
export type RunStatus = 'running' | 'suspended' | 'completed' | 'failed' | 'cancelled';

/** Where a journaled step stands: `running` while its work is in flight, `waiting` for a `waitFor` step. */
export type StepStatus = 'running' | 'completed' | 'failed' | 'waiting';

/** Tokens, calls and cost, journaled so a budget holds across resumes. */
export interface RunUsage {
  /** Model calls made. */
  readonly calls: number;
  /** Input (prompt) tokens. */
  readonly inputTokens: number;
  /** Output (completion) tokens. */
  readonly outputTokens: number;
  /** Cost in US dollars. */
  readonly costUsd: number;
}

/** An error as the journal keeps it: plain JSON, with its cause chain. */
export interface SerializedError {
  /** The error's class name, e.g. `TimeoutError`. */
  readonly name: string;
  /** The error's message. */
  readonly message: string;
  /** The stable `code` of a toolkit error, when it has one. */
  readonly code?: string;
  /** Whether the error said trying again may succeed. */
  readonly retryable?: boolean;
  /** The error's `cause`, serialized the same way. */
  readonly cause?: SerializedError;
}

/** What a run is, written once when it is created and never changed. */
export interface RunHeader {
  /** The run's id: any non-empty string (stores encode it; they never use it as a path as is). */
  readonly runId: string;
  /** The durable workflow's name. */
  readonly name: string;
  /** `fingerprint(workflow)` when the run was created. */
  readonly fingerprint: string;
  /** The version the user gave, which replaces the fingerprint check on resume. */
  readonly version?: string;
  /** When the run was created, epoch milliseconds. */
  readonly createdAt: number;
  /** The run's input (JSON). */
  readonly input: unknown;
}

/** One journal record: a step that settled (or started, or waits), under its step path. */
export interface StepRecord {
  /** The step path: names from the root joined with `/`, with `~n` sibling and `#n` occurrence suffixes. */
  readonly path: string;
  /** The step's own name. */
  readonly name: string;
  /** The primitive kind, e.g. `step`, `parallel`, `waitFor`. */
  readonly kind: string;
  /** What the record says about the step. */
  readonly status: StepStatus;
  /** The step's output (JSON), for a completed step. */
  readonly output?: unknown;
  /** When the step started, epoch milliseconds. */
  readonly startedAt: number;
  /** When the step settled, epoch milliseconds. */
  readonly endedAt: number;
  /** Why the step failed. */
  readonly error?: SerializedError;
  /** What the step spent. */
  readonly usage?: RunUsage;
  /** A digest of the step's input: a resume replays the output only for the same input. */
  readonly inputDigest?: string;
}

/** What a suspended run waits for. */
export interface RunWait {
  /** The `waitFor` name. */
  readonly name: string;
  /** The step path of the wait. */
  readonly path: string;
  /** The wait's payload (the `waitFor` step's input). */
  readonly payload: unknown;
  /** When the wait expires, epoch milliseconds. */
  readonly expiresAt?: number;
}

/** A run as a store loads it: the header, the latest status, and the journal in append order. */
export interface RunState {
  /** The header written when the run was created. */
  readonly header: RunHeader;
  /** The latest status. */
  readonly status: RunStatus;
  /** When the run last changed (created, a step appended, a status set), epoch milliseconds. */
  readonly updatedAt: number;
  /** Every appended record, oldest first. A record torn by a crash is not there. */
  readonly steps: readonly StepRecord[];
  /** What a `suspended` run waits for. */
  readonly waitingFor?: RunWait;
  /** The output of a `completed` run. */
  readonly output?: unknown;
  /** Why a `failed` run failed. */
  readonly error?: SerializedError;
  /** The run's usage, as last set. */
  readonly usage?: RunUsage;
}

/**
 * A status change. `waitingFor`, `output` and `error` describe the new status: each is kept only when
 * given, so leaving `suspended` clears the wait and a retried `failed` run loses its error. `usage`,
 * when given, replaces the run's usage; otherwise the run keeps it.
 */
export interface RunStatusUpdate {
  /** The new status. */
  readonly status: RunStatus;
  /** What the run waits for (with `suspended`). */
  readonly waitingFor?: RunWait;
  /** The run's output (with `completed`). */
  readonly output?: unknown;
  /** Why the run failed (with `failed`). */
  readonly error?: SerializedError;
  /** The run's usage so far. */
  readonly usage?: RunUsage;
}

/** Which runs `listRuns` returns. */
export interface RunQuery {
  /** Only runs of this durable workflow. */
  readonly name?: string;
  /** Only runs in this status. */
  readonly status?: RunStatus;
  /** At most this many runs. @default 100 */
  readonly limit?: number;
}

/** One run in a listing. */
export interface RunSummary {
  /** The run's id. */
  readonly runId: string;
  /** The durable workflow's name. */
  readonly name: string;
  /** The latest status. */
  readonly status: RunStatus;
  /** When the run last changed, epoch milliseconds. */
  readonly updatedAt: number;
}

/**
 * Where durable runs are kept: a header written once, an append-only journal of step records, the
 * latest status, and a lease so one process at a time advances a run. `MemoryRunStore`,
 * `FileRunStore` and `RedisRunStore` (`@tta/redis/durable`) implement it; `describeRunStoreContract`
 * from `@tta/durable/testing` checks another implementation.
 *
 * Every method rejects with a typed error: `RunNotFoundError` for a run that does not exist (except
 * `createRun`, `loadRun`, `releaseLease` and `deleteRun`), `RunLockedError` for a write whose
 * token does not hold the lease.
 *
 * @example
 * ```ts
 * const store: RunStore = new MemoryRunStore();
 * await store.createRun({ runId: 'r1', name: 'triage', fingerprint: 'f', createdAt: Date.now(), input: {} });
 * const token = await store.acquireLease('r1', 'worker-1', 15_000);
 * if (token !== undefined) {
 *   await store.appendStep('r1', token, { path: 'fetch', name: 'fetch', kind: 'step', status: 'completed', output: 42, startedAt: 1, endedAt: 2 });
 *   await store.setStatus('r1', token, { status: 'completed', output: 42 });
 *   await store.releaseLease('r1', token);
 * }
 * ```
 */
export interface RunStore {
  /** The version of this interface the store implements. */
  readonly specificationVersion: 1;
  /** Writes the header atomically if the run does not exist (status `running`); returns the current state either way. */
  createRun(header: RunHeader): Promise<{ readonly created: boolean; readonly state: RunState }>;
  /** The run, or `undefined` when it does not exist (or was removed by retention). */
  loadRun(runId: string): Promise<RunState | undefined>;
  /** Takes the run's lease for `leaseMs`: a new token, or `undefined` while another live owner holds it. An expired lease is taken over. */
  acquireLease(runId: string, owner: string, leaseMs: number): Promise<string | undefined>;
  /** Extends the lease `token` holds by `leaseMs` from now; `false` when the token no longer holds it. */
  renewLease(runId: string, token: string, leaseMs: number): Promise<boolean>;
  /** Frees the lease if `token` holds it; otherwise does nothing. */
  releaseLease(runId: string, token: string): Promise<void>;
  /** Appends a record durably (fsynced, or acknowledged by the server), only while `token` holds the lease; else `RunLockedError`. */
  appendStep(runId: string, token: string, record: StepRecord): Promise<void>;
  /**
   * Sets the run's status. With a `token`, it must hold the lease; without one, the lease must be free
   * (no live owner), so a process that does not run the run (a cancel, an expired wait noticed by a
   * listing) cannot overwrite the owner's work. Else `RunLockedError`.
   */
  setStatus(runId: string, token: string | undefined, update: RunStatusUpdate): Promise<void>;
  /** Runs matching `query`, most recently updated first. */
  listRuns(query?: RunQuery): Promise<readonly RunSummary[]>;
  /** Removes the run, its journal and its lease; does nothing when it does not exist. */
  deleteRun(runId: string): Promise<void>;
  /** Frees what the store holds (connections it owns, timers). */
  close?(): Promise<void>;
}
