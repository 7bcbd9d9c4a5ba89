import { randomUUID } from 'node:crypto';
import {
  assertLeaseMs,
  assertLeaseOwner,
  assertLeaseToken,
  assertRunHeader,
  assertRunId,
  assertRunStatusUpdate,
  assertStepRecord,
  encodeRunJson,
  isRunExpired,
  isRunFinished,
  normaliseRunQuery,
  resolveRetentionMs,
  RunLockedError,
  RunNotFoundError,
  type RunHeader,
  type RunQuery,
  type RunState,
  type RunStatus,
  type RunStatusUpdate,
  type RunStore,
  type RunSummary,
  type RunUsage,
  type StepRecord,
} from '@tta/durable';
import { requireMethods, systemClock, type Clock } from '@tta/primitives/instrumentation';
import { resolveConnection, validatePrefix, type RedisStoreOptions } from '../connection.js';
import { closeClient, guard, type LuaScript } from '../redis-call.js';
import { kindName, storeKey } from '../key-layout.js';
import { assertOptionsObject } from '../validate-options.js';
import { acquireLeaseScript, appendStepScript, createRunScript, loadRunScript, releaseLeaseScript, renewLeaseScript, setStatusScript } from './redis-run-store-scripts.js';

const storeName = 'RedisRunStore';
// The listing index is read in pages; each page costs one read per run in it.
const indexPageSize = 200;

/** Options of {@link RedisRunStore}. */
export interface RedisRunStoreOptions extends RedisStoreOptions {
  /**
   * How long a finished run (completed, failed or cancelled) is kept after its last change: Redis
   * expires its keys then (and the store treats it as gone from that time on its clock). `Infinity`
   * keeps every run.
   * @default 604_800_000 (7 days)
   */
  readonly retentionMs?: number;
  /**
   * Time source for `updatedAt`, lease expiry and retention. Every process that shares the runs
   * compares lease expiries made by the others' clocks: keep the hosts' clocks synchronised (NTP).
   * @default systemClock
   */
  readonly clock?: Pick<Clock, 'now'>;
}

type Client = ReturnType<typeof resolveConnection>['client'];

/**
 * A {@link RunStore} in Redis, for durable runs that several processes (or a `WorkerPool`) share.
 * Each run's keys share one hash tag, `<prefix>durable:{<run id>}:run|journal|lease`, so every
 * operation is one Lua script on one slot, also on a Redis Cluster: the lease is taken, renewed
 * and released by token, and a record is appended only while its token holds the lease, in one
 * atomic step. A finished run's keys expire on the server after `retentionMs`. Listing reads a
 * sorted-set index (`<prefix>durable:runs`) kept beside the runs.
 *
 * @example
 * ```ts
 * const store = new RedisRunStore({ connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, prefix: 'shop:' });
 * const suspended = await store.listRuns({ status: 'suspended' });
 * await store.close();
 * ```
 */
export class RedisRunStore implements RunStore {
  /** The version of the `RunStore` interface this store implements. */
  readonly specificationVersion = 1 as const;
  private readonly client: Client;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly indexKey: string;
  private readonly retentionMs: number;
  // What the scripts take: whole milliseconds, or '' for runs kept forever.
  private readonly retentionArgument: number | '';
  private readonly clock: Pick<Clock, 'now'>;

  constructor(options: RedisRunStoreOptions = {}) {
    assertOptionsObject(storeName, options, ['connection', 'prefix', 'retentionMs', 'clock'] satisfies (keyof RedisRunStoreOptions)[]);
    this.prefix = validatePrefix(storeName, options.prefix);
    this.retentionMs = resolveRetentionMs(storeName, options.retentionMs);
    this.retentionArgument = Number.isFinite(this.retentionMs) ? Math.max(1, Math.ceil(this.retentionMs)) : '';
    requireMethods(storeName, 'clock', options.clock, { optional: true, methods: ['now'], description: 'an object with now()' });
    this.clock = options.clock ?? systemClock;
    this.indexKey = kindName(this.prefix, 'durable', 'runs');
    const { client, owned } = resolveConnection(options.connection);
    this.client = client;
    this.owned = owned;
  }

  /** Writes the header atomically if the run does not exist; returns the current state either way. */
  async createRun(header: RunHeader): Promise<{ readonly created: boolean; readonly state: RunState }> {
    assertRunHeader(storeName, header);
    const headerJson = encodeRunJson(header, 'header');
    const now = this.now();
    // Indexed first: a crash between the two leaves an index entry without a run (dropped when
    // listed), never a run that cannot be listed. NX: a second create of a run does not move it.
    await guard(`${storeName}.createRun`, () => this.client.zadd(this.indexKey, 'NX', now, header.runId));
    const created = await this.run(createRunScript, 'createRun', header.runId, ['run', 'journal', 'lease'], [headerJson, header.name, now, this.retentionArgument]);
    if (created === 1) return { created: true, state: { header, status: 'running', updatedAt: now, steps: [] } };
    const winner = await this.load(header.runId);
    if (winner === undefined) throw new RunNotFoundError(header.runId);
    return { created: false, state: winner };
  }

  /** The run, or `undefined`. */
  async loadRun(runId: string): Promise<RunState | undefined> {
    assertRunId(storeName, runId);
    return this.live(runId);
  }

  /** Takes the run's lease, or `undefined` while another live owner holds it. */
  async acquireLease(runId: string, owner: string, leaseMs: number): Promise<string | undefined> {
    assertRunId(storeName, runId);
    assertLeaseOwner(storeName, owner);
    assertLeaseMs(storeName, leaseMs);
    const token = randomUUID();
    const outcome = await this.run(acquireLeaseScript, 'acquireLease', runId, ['run', 'lease'], [token, owner, this.now(), leaseMs, this.retentionArgument]);
    if (outcome === -1) throw new RunNotFoundError(runId);
    return outcome === 1 ? token : undefined;
  }

  /** Extends the lease `token` holds; `false` when it no longer holds it. */
  async renewLease(runId: string, token: string, leaseMs: number): Promise<boolean> {
    assertRunId(storeName, runId);
    assertLeaseToken(storeName, token);
    assertLeaseMs(storeName, leaseMs);
    const outcome = await this.run(renewLeaseScript, 'renewLease', runId, ['run', 'lease'], [token, this.now(), leaseMs, this.retentionArgument]);
    if (outcome === -1) throw new RunNotFoundError(runId);
    return outcome === 1;
  }

  /** Frees the lease if `token` holds it. */
  async releaseLease(runId: string, token: string): Promise<void> {
    assertRunId(storeName, runId);
    assertLeaseToken(storeName, token);
    await this.run(releaseLeaseScript, 'releaseLease', runId, ['lease'], [token]);
  }

  /** Appends a record while `token` holds the lease: the check and the append are one script. */
  async appendStep(runId: string, token: string, record: StepRecord): Promise<void> {
    assertRunId(storeName, runId);
    assertLeaseToken(storeName, token);
    assertStepRecord(storeName, record);
    const recordJson = encodeRunJson(record, record.path);
    const now = this.now();
    const [outcome] = await Promise.all([
      this.run(appendStepScript, 'appendStep', runId, ['run', 'journal', 'lease'], [token, now, recordJson, this.retentionArgument]),
      // The index orders the listing: its score follows the run's last change (a hint; the run's own `u` is the truth).
      guard(`${storeName}.appendStep`, () => this.client.zadd(this.indexKey, 'XX', now, runId)),
    ]);
    if (outcome === -1) throw new RunNotFoundError(runId);
    if (outcome === 0) throw new RunLockedError(runId);
  }

  /** Sets the run's status (with the lease `token`, or while nobody holds the lease). */
  async setStatus(runId: string, token: string | undefined, update: RunStatusUpdate): Promise<void> {
    assertRunId(storeName, runId);
    if (token !== undefined) assertLeaseToken(storeName, token);
    assertRunStatusUpdate(storeName, update);
    const { status, usage, ...carried } = update;
    const carriedJson = Object.keys(carried).length === 0 ? '' : encodeRunJson(carried, 'status');
    const usageJson = usage === undefined ? '' : encodeRunJson(usage, 'usage');
    const expire = isRunFinished(status) ? this.retentionArgument : '';
    const now = this.now();
    const outcome = await this.run(setStatusScript, 'setStatus', runId, ['run', 'journal', 'lease'], [token ?? '', now, status, carriedJson, usageJson, expire, this.retentionArgument]);
    if (outcome === -1) throw new RunNotFoundError(runId);
    if (outcome === 0) throw new RunLockedError(runId);
    await guard(`${storeName}.setStatus`, () => this.client.zadd(this.indexKey, 'XX', now, runId));
  }

  /** Runs matching `query`, most recently updated first; index entries of runs that are gone are dropped on the way. */
  async listRuns(query?: RunQuery): Promise<readonly RunSummary[]> {
    const { name, status, limit } = normaliseRunQuery(storeName, query);
    const matches: RunSummary[] = [];
    for (let start = 0; ; start += indexPageSize) {
      const runIds = await guard(`${storeName}.listRuns`, () => this.client.zrevrange(this.indexKey, start, start + indexPageSize - 1));
      const summaries = await Promise.all(runIds.map((runId) => this.summary(runId)));
      let removed = 0;
      for (const [index, summary] of summaries.entries()) {
        if (summary === undefined) {
          await guard(`${storeName}.listRuns`, () => this.client.zrem(this.indexKey, runIds[index]!));
          removed++;
          continue;
        }
        if (status !== undefined && summary.status !== status) continue;
        if (name !== undefined && summary.name !== name) continue;
        matches.push(summary);
      }
      // Scores are hints (written beside the run, not with it): sort by the runs' own times, and read
      // one page past the limit, so a run whose score lags still finds its place.
      if (runIds.length < indexPageSize || matches.length >= limit + indexPageSize) break;
      start -= removed;
    }
    return matches.sort((left, right) => right.updatedAt - left.updatedAt).slice(0, limit);
  }

  /** Removes the run, its journal and its lease. */
  async deleteRun(runId: string): Promise<void> {
    assertRunId(storeName, runId);
    await guard(`${storeName}.deleteRun`, () => this.client.del(this.key(runId, 'run'), this.key(runId, 'journal'), this.key(runId, 'lease')));
    await guard(`${storeName}.deleteRun`, () => this.client.zrem(this.indexKey, runId));
  }

  /** Closes the connection when the store created it. */
  async close(): Promise<void> {
    await closeClient(this.client, this.owned);
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private now(): number {
    return Math.floor(this.clock.now());
  }

  private key(runId: string, part: 'run' | 'journal' | 'lease'): string {
    return storeKey(this.prefix, 'durable', runId, part);
  }

  private run(script: LuaScript, operation: string, runId: string, parts: readonly ('run' | 'journal' | 'lease')[], args: readonly (string | number)[]): Promise<unknown> {
    return guard(`${storeName}.${operation}`, () => script.run(this.client, parts.map((part) => this.key(runId, part)), args));
  }

  private async load(runId: string): Promise<RunState | undefined> {
    const [fields, records] = (await this.run(loadRunScript, 'loadRun', runId, ['run', 'journal'], [])) as [(string | null)[], string[]];
    const [headerJson, status, updatedAt, carriedJson, usageJson] = fields;
    if (headerJson === null || headerJson === undefined) return undefined;
    return {
      header: JSON.parse(headerJson) as RunHeader,
      status: status as RunStatus,
      updatedAt: Number(updatedAt),
      steps: records.map((record) => JSON.parse(record) as StepRecord),
      ...(carriedJson === null || carriedJson === undefined ? {} : (JSON.parse(carriedJson) as object)),
      ...(usageJson === null || usageJson === undefined ? {} : { usage: JSON.parse(usageJson) as RunUsage }),
    };
  }

  private async summary(runId: string): Promise<RunSummary | undefined> {
    const [name, status, updatedAt] = await guard(`${storeName}.listRuns`, () => this.client.hmget(this.key(runId, 'run'), 'n', 's', 'u'));
    if (name === null || name === undefined) return undefined;
    const summary: RunSummary = { runId, name, status: status as RunStatus, updatedAt: Number(updatedAt) };
    if (!isRunExpired(summary.status, summary.updatedAt, this.now(), this.retentionMs)) return summary;
    await this.deleteRun(runId);
    return undefined;
  }

  private async live(runId: string): Promise<RunState | undefined> {
    const state = await this.load(runId);
    if (state === undefined || !isRunExpired(state.status, state.updatedAt, this.now(), this.retentionMs)) return state;
    await this.deleteRun(runId);
    return undefined;
  }

}
