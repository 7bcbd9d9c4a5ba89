import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { requireMethods, requireNonEmptyString, requireOptionsObject, systemClock, type Clock } from '@tta/primitives/instrumentation';
import type { RunHeader, RunQuery, RunState, RunStatusUpdate, RunStore, RunSummary, StepRecord } from '../../run-store.js';
import { RunLockedError } from '../../errors/run-locked-error.js';
import { RunNotFoundError } from '../../errors/run-not-found-error.js';
import { encodeRunJson } from '../encode-json.js';
import { isRunExpired, resolveRetentionMs } from '../run-retention.js';
import { assertRunHeader, assertLeaseMs, assertLeaseOwner, assertRunId, assertRunStatusUpdate, assertStepRecord, assertLeaseToken, normaliseRunQuery } from '../validate-run-store-input.js';
import { appendSynced, syncDirectory, writeSynced } from './durable-write.js';
import { FileLease, type LeaseGeneration } from './file-lease.js';
import { foldJournal, readJournal, trimTornTail, type HeaderFile, type JournalEntry } from './run-journal.js';
import { runDirectoryName } from './run-directory-name.js';

const storeName = 'FileRunStore';
const headerName = 'header.json';
const journalName = 'journal.jsonl';
// Retention also runs on its own while runs are created: at most this many run directories per sweep.
const sweepBatch = 100;
const maxSweepIntervalMs = 60_000;
// Leases this store took, so its own appends need no disk read; bounded in case holders never release.
const maxCachedLeases = 10_000;

/** Options of {@link FileRunStore}. */
export interface FileRunStoreOptions {
  /** The directory that holds the runs; created (with its parents) when missing. */
  readonly dir: string;
  /**
   * How long a finished run (completed, failed or cancelled) is kept after its last change; then it
   * is removed when read, listed, or met by the sweep that runs while new runs are created.
   * `Infinity` keeps every run.
   * @default 604_800_000 (7 days)
   */
  readonly retentionMs?: number;
  /**
   * Time source for `updatedAt`, lease expiry and retention. Processes that share `dir` compare
   * lease expiries made by each other's clocks: keep them on one host, or synchronised.
   * @default systemClock
   */
  readonly clock?: Pick<Clock, 'now'>;
}

/**
 * The embedded {@link RunStore}: runs in files under `dir`, safe across processes and `kill -9`.
 * Each run is a directory: `header.json` (written to a temporary directory, flushed, and renamed
 * into place, so a run exists completely or not at all), `journal.jsonl` (append-only, one JSON
 * record per line, each flushed with fsync before the call returns; a record cut short by a crash
 * is left out when read), and the lease in `lease-<n>.json` files (see the docs: taking the lease
 * creates the next file, which only one process can do). Run ids of any text are safe: directory
 * names encode every character a path could interpret.
 *
 * @example
 * ```ts
 * const store = new FileRunStore({ dir: '.tta/runs', retentionMs: 24 * 60 * 60 * 1_000 });
 * const runs = await store.listRuns({ status: 'suspended' });
 * ```
 */
export class FileRunStore implements RunStore {
  /** The version of the `RunStore` interface this store implements. */
  readonly specificationVersion = 1 as const;
  /** The absolute directory the runs are kept in. */
  readonly dir: string;
  private readonly runsDirectory: string;
  private readonly temporaryDirectory: string;
  private readonly retentionMs: number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly heldLeases = new Map<string, LeaseGeneration>();
  private ready: Promise<void> | undefined;
  private lastSweepAt = -Infinity;
  private sweepCursor = 0;

  constructor(options: FileRunStoreOptions) {
    requireOptionsObject(storeName, options, { known: ['dir', 'retentionMs', 'clock'] });
    requireNonEmptyString(storeName, 'dir', options.dir);
    this.retentionMs = resolveRetentionMs(storeName, options.retentionMs);
    requireMethods(storeName, 'clock', options.clock, { optional: true, methods: ['now'], description: 'an object with now()' });
    this.clock = options.clock ?? systemClock;
    this.dir = resolve(options.dir);
    this.runsDirectory = join(this.dir, 'runs');
    this.temporaryDirectory = join(this.dir, 'tmp');
  }

  /** Writes the header atomically if the run does not exist; returns the current state either way. */
  async createRun(header: RunHeader): Promise<{ readonly created: boolean; readonly state: RunState }> {
    assertRunHeader(storeName, header);
    await this.prepare();
    await this.sweepSome();
    const existing = await this.live(header.runId);
    if (existing !== undefined) return { created: false, state: existing };
    const headerFile: HeaderFile = { header, storedAt: this.now() };
    const headerJson = encodeRunJson(headerFile, 'header');
    // The run directory is built aside and renamed into place: rename fails when the name exists,
    // so of concurrent creators (in any process) exactly one creates the run.
    const staging = join(this.temporaryDirectory, randomUUID());
    await mkdir(staging);
    try {
      await writeSynced(join(staging, headerName), headerJson, 'wx');
      await writeSynced(join(staging, journalName), '', 'wx');
      await syncDirectory(staging);
      await rename(staging, this.runDirectory(header.runId));
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      const winner = await this.load(header.runId);
      if (winner !== undefined) return { created: false, state: winner };
      throw error;
    }
    await syncDirectory(this.runsDirectory);
    return { created: true, state: foldJournal(headerFile, []) };
  }

  /** The run, or `undefined`. */
  async loadRun(runId: string): Promise<RunState | undefined> {
    assertRunId(storeName, runId);
    await this.prepare();
    return this.live(runId);
  }

  /** Takes the run's lease, or `undefined` while another live owner holds it. */
  async acquireLease(runId: string, owner: string, leaseMs: number): Promise<string | undefined> {
    assertRunId(storeName, runId);
    assertLeaseOwner(storeName, owner);
    assertLeaseMs(storeName, leaseMs);
    await this.existing(runId);
    const lease = this.lease(runId);
    const now = this.now();
    const current = await lease.current();
    if (current !== undefined && current.expiresAt > now) return undefined;
    const taken = await lease.take(current?.generation ?? 0, owner, now + leaseMs);
    if (taken === undefined) return undefined;
    await trimTornTail(join(this.runDirectory(runId), journalName));
    this.remember(runId, taken);
    return taken.token;
  }

  /** Extends the lease `token` holds; `false` when it no longer holds it. */
  async renewLease(runId: string, token: string, leaseMs: number): Promise<boolean> {
    assertRunId(storeName, runId);
    assertLeaseToken(storeName, token);
    assertLeaseMs(storeName, leaseMs);
    await this.existing(runId);
    const now = this.now();
    const current = await this.lease(runId).current();
    if (current === undefined || current.token !== token || current.expiresAt <= now) return false;
    const renewed = await this.lease(runId).rewrite(current, now + leaseMs);
    if (renewed) this.remember(runId, { ...current, expiresAt: now + leaseMs });
    else this.heldLeases.delete(runId);
    return renewed;
  }

  /** Frees the lease if `token` holds it. */
  async releaseLease(runId: string, token: string): Promise<void> {
    assertRunId(storeName, runId);
    assertLeaseToken(storeName, token);
    await this.prepare();
    if (this.heldLeases.get(runId)?.token === token) this.heldLeases.delete(runId);
    if ((await this.load(runId)) === undefined) return;
    const current = await this.lease(runId).current();
    if (current === undefined || current.token !== token || current.expiresAt <= this.now()) return;
    await this.lease(runId).rewrite(current, 0);
  }

  /** Appends a record (flushed with fsync) while `token` holds the lease. */
  async appendStep(runId: string, token: string, record: StepRecord): Promise<void> {
    assertRunId(storeName, runId);
    assertLeaseToken(storeName, token);
    assertStepRecord(storeName, record);
    const line = `${encodeRunJson({ t: 'step', at: this.now(), r: record } satisfies JournalEntry, record.path)}\n`;
    // No load of the run first: that reads the whole journal, and appends are the hot path. A run
    // that is gone fails the lease check or the append itself with ENOENT.
    await this.prepare();
    if (!(await this.holds(runId, token))) throw new RunLockedError(runId);
    await this.append(runId, line);
  }

  /** Sets the run's status (with the lease `token`, or while nobody holds the lease). */
  async setStatus(runId: string, token: string | undefined, update: RunStatusUpdate): Promise<void> {
    assertRunId(storeName, runId);
    if (token !== undefined) assertLeaseToken(storeName, token);
    assertRunStatusUpdate(storeName, update);
    const line = `${encodeRunJson({ t: 'status', at: this.now(), u: update } satisfies JournalEntry, 'status')}\n`;
    await this.existing(runId);
    if (token === undefined) {
      const current = await this.lease(runId).current();
      if (current !== undefined && current.expiresAt > this.now()) throw new RunLockedError(runId);
    } else if (!(await this.holds(runId, token))) {
      throw new RunLockedError(runId);
    }
    await this.append(runId, line);
  }

  /** Runs matching `query`, most recently updated first; finished runs past their retention are removed on the way. */
  async listRuns(query?: RunQuery): Promise<readonly RunSummary[]> {
    const { name, status, limit } = normaliseRunQuery(storeName, query);
    await this.prepare();
    const matches: RunSummary[] = [];
    for (const directory of await readdir(this.runsDirectory)) {
      const state = await this.liveDirectory(directory);
      if (state === undefined) continue;
      if (status !== undefined && state.status !== status) continue;
      if (name !== undefined && state.header.name !== name) continue;
      matches.push({ runId: state.header.runId, name: state.header.name, status: state.status, updatedAt: state.updatedAt });
    }
    return matches.sort((left, right) => right.updatedAt - left.updatedAt).slice(0, limit);
  }

  /** Removes the run, its journal and its lease. */
  async deleteRun(runId: string): Promise<void> {
    assertRunId(storeName, runId);
    await this.prepare();
    this.heldLeases.delete(runId);
    await this.removeDirectory(runDirectoryName(runId));
  }

  /** Forgets the leases this store took (they stay in the files until they expire or are released). */
  async close(): Promise<void> {
    this.heldLeases.clear();
  }

  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.runsDirectory, { recursive: true });
      await mkdir(this.temporaryDirectory, { recursive: true });
    })();
    return this.ready;
  }

  private now(): number {
    return Math.floor(this.clock.now());
  }

  private runDirectory(runId: string): string {
    return join(this.runsDirectory, runDirectoryName(runId));
  }

  private lease(runId: string): FileLease {
    return new FileLease(this.runDirectory(runId), this.temporaryDirectory);
  }

  private remember(runId: string, lease: LeaseGeneration): void {
    this.heldLeases.delete(runId);
    if (this.heldLeases.size >= maxCachedLeases) this.heldLeases.delete(this.heldLeases.keys().next().value!);
    this.heldLeases.set(runId, lease);
  }

  // A lease this store took and whose expiry has not passed cannot have been taken by anyone else
  // (others take it only after expiry), so the store's own appends skip reading the lease file.
  private async holds(runId: string, token: string): Promise<boolean> {
    const now = this.now();
    const cached = this.heldLeases.get(runId);
    if (cached !== undefined && cached.token === token && cached.expiresAt > now) return true;
    let current: LeaseGeneration | undefined;
    try {
      current = await this.lease(runId).current();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RunNotFoundError(runId, { cause: error });
      throw error;
    }
    return current !== undefined && current.token === token && current.expiresAt > now;
  }

  private async append(runId: string, line: string): Promise<void> {
    try {
      await appendSynced(join(this.runDirectory(runId), journalName), line);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RunNotFoundError(runId, { cause: error });
      throw error;
    }
  }

  private async load(runId: string): Promise<RunState | undefined> {
    const state = await this.loadDirectory(runDirectoryName(runId));
    // A hashed directory name that another id reached first (never observed): not this run.
    return state?.header.runId === runId ? state : undefined;
  }

  private async loadDirectory(directory: string): Promise<RunState | undefined> {
    const path = join(this.runsDirectory, directory);
    let headerFile: HeaderFile;
    try {
      headerFile = JSON.parse(await readFile(join(path, headerName), 'utf8')) as HeaderFile;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
    return foldJournal(headerFile, await readJournal(join(path, journalName)));
  }

  private async live(runId: string): Promise<RunState | undefined> {
    const state = await this.load(runId);
    if (state === undefined || !isRunExpired(state.status, state.updatedAt, this.now(), this.retentionMs)) return state;
    await this.removeDirectory(runDirectoryName(runId));
    return undefined;
  }

  private async liveDirectory(directory: string): Promise<RunState | undefined> {
    const state = await this.loadDirectory(directory);
    if (state === undefined || !isRunExpired(state.status, state.updatedAt, this.now(), this.retentionMs)) return state;
    await this.removeDirectory(directory);
    return undefined;
  }

  private async existing(runId: string): Promise<RunState> {
    await this.prepare();
    const state = await this.live(runId);
    if (state === undefined) throw new RunNotFoundError(runId);
    return state;
  }

  // Renamed away first, so the run disappears at once for every process; then removed.
  private async removeDirectory(directory: string): Promise<void> {
    const doomed = join(this.temporaryDirectory, `deleted-${randomUUID()}`);
    try {
      await rename(join(this.runsDirectory, directory), doomed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await rm(doomed, { recursive: true, force: true });
  }

  // Retention without a timer: creating runs sweeps a bounded batch of directories now and then.
  private async sweepSome(): Promise<void> {
    const now = this.now();
    if (this.retentionMs === Infinity || now - this.lastSweepAt < Math.min(this.retentionMs, maxSweepIntervalMs)) return;
    this.lastSweepAt = now;
    const directories = await readdir(this.runsDirectory);
    if (this.sweepCursor >= directories.length) this.sweepCursor = 0;
    const batch = directories.slice(this.sweepCursor, this.sweepCursor + sweepBatch);
    this.sweepCursor += batch.length;
    for (const directory of batch) await this.liveDirectory(directory);
  }
}
