import { InvalidInputError } from '@tta/primitives';
import type { RunHeader, RunQuery, RunStatus, RunStatusUpdate, StepRecord } from '../run-store.js';

/** The longest run id a store accepts: BullMQ job ids and UUIDs are far shorter; a megabyte id is a mistake. */
export const maxRunIdLength = 1_024;

/** The listing size when `limit` is not given. */
export const defaultListLimit = 100;

const runStatuses: ReadonlySet<string> = new Set<RunStatus>(['running', 'suspended', 'completed', 'failed', 'cancelled']);
const stepStatuses: ReadonlySet<string> = new Set(['running', 'completed', 'failed', 'waiting']);
// A lone surrogate becomes U+FFFD in UTF-8 (a file name, a Redis key), so two different ids would meet.
const loneSurrogate = /\p{Cs}/u;

function fail(store: string, problem: string): never {
  throw new InvalidInputError(store, problem);
}

function assertText(store: string, what: string, value: unknown, maxLength = Infinity): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) fail(store, `${what} must be a non-empty string, got ${value === '' ? 'an empty string' : typeof value}`);
  if (value.length > maxLength) fail(store, `${what} is ${value.length} characters long, the limit is ${maxLength}`);
  if (loneSurrogate.test(value)) fail(store, `${what} holds a lone surrogate (not valid UTF-16 text)`);
}

/**
 * Throws `InvalidInputError` unless `runId` is a well-formed string of 1 to {@link maxRunIdLength} characters. For `RunStore` implementations: every store refuses the same inputs the same way.
 *
 * @example
 * ```ts
 * assertRunId('MyRunStore', runId);
 * ```
 */
export function assertRunId(store: string, runId: unknown): asserts runId is string {
  assertText(store, 'runId', runId, maxRunIdLength);
}

/**
 * Throws `InvalidInputError` unless `leaseMs` is a positive whole number of milliseconds. For `RunStore` implementations: every store refuses the same inputs the same way.
 *
 * @example
 * ```ts
 * assertLeaseMs('MyRunStore', leaseMs);
 * ```
 */
export function assertLeaseMs(store: string, leaseMs: unknown): asserts leaseMs is number {
  if (typeof leaseMs !== 'number' || !Number.isSafeInteger(leaseMs) || leaseMs <= 0) fail(store, `leaseMs must be a positive whole number of milliseconds, got ${String(leaseMs)}`);
}

/**
 * Throws `InvalidInputError` unless `owner` (a lease owner) is a non-empty string. For `RunStore` implementations: every store refuses the same inputs the same way.
 *
 * @example
 * ```ts
 * assertLeaseOwner('MyRunStore', owner);
 * ```
 */
export function assertLeaseOwner(store: string, owner: unknown): asserts owner is string {
  assertText(store, 'owner', owner, maxRunIdLength);
}

/**
 * Throws `InvalidInputError` unless `token` is a string (any string: a wrong one is refused by the lease). For `RunStore` implementations: every store refuses the same inputs the same way.
 *
 * @example
 * ```ts
 * assertLeaseToken('MyRunStore', token);
 * ```
 */
export function assertLeaseToken(store: string, token: unknown): asserts token is string {
  if (typeof token !== 'string') fail(store, `token must be a string, got ${typeof token}`);
}

/**
 * Throws `InvalidInputError` unless `header` is a run header with its fields well-formed. For `RunStore` implementations: every store refuses the same inputs the same way.
 *
 * @example
 * ```ts
 * assertRunHeader('MyRunStore', header);
 * ```
 */
export function assertRunHeader(store: string, header: unknown): asserts header is RunHeader {
  if (typeof header !== 'object' || header === null) fail(store, `header must be an object, got ${header === null ? 'null' : typeof header}`);
  const candidate = header as Partial<Record<keyof RunHeader, unknown>>;
  assertRunId(store, candidate.runId);
  assertText(store, 'name', candidate.name, maxRunIdLength);
  if (typeof candidate.fingerprint !== 'string') fail(store, `fingerprint must be a string, got ${typeof candidate.fingerprint}`);
  if (candidate.version !== undefined && typeof candidate.version !== 'string') fail(store, `version must be a string, got ${typeof candidate.version}`);
  if (typeof candidate.createdAt !== 'number' || !Number.isFinite(candidate.createdAt)) fail(store, `createdAt must be a finite number of epoch milliseconds, got ${String(candidate.createdAt)}`);
}

/**
 * Throws `InvalidInputError` unless `record` is a step record with its fields well-formed. For `RunStore` implementations: every store refuses the same inputs the same way.
 *
 * @example
 * ```ts
 * assertStepRecord('MyRunStore', record);
 * ```
 */
export function assertStepRecord(store: string, record: unknown): asserts record is StepRecord {
  if (typeof record !== 'object' || record === null) fail(store, `record must be an object, got ${record === null ? 'null' : typeof record}`);
  const candidate = record as Partial<Record<keyof StepRecord, unknown>>;
  assertText(store, 'record path', candidate.path);
  if (typeof candidate.name !== 'string') fail(store, `record name must be a string, got ${typeof candidate.name}`);
  if (typeof candidate.kind !== 'string') fail(store, `record kind must be a string, got ${typeof candidate.kind}`);
  if (typeof candidate.status !== 'string' || !stepStatuses.has(candidate.status)) fail(store, `record status must be one of ${[...stepStatuses].join(', ')}, got ${String(candidate.status)}`);
  if (typeof candidate.startedAt !== 'number' || typeof candidate.endedAt !== 'number') fail(store, 'record startedAt and endedAt must be epoch milliseconds');
}

/**
 * Throws `InvalidInputError` unless `update` names a known status. For `RunStore` implementations: every store refuses the same inputs the same way.
 *
 * @example
 * ```ts
 * assertRunStatusUpdate('MyRunStore', update);
 * ```
 */
export function assertRunStatusUpdate(store: string, update: unknown): asserts update is RunStatusUpdate {
  if (typeof update !== 'object' || update === null) fail(store, `update must be an object, got ${update === null ? 'null' : typeof update}`);
  const status = (update as { status?: unknown }).status;
  if (typeof status !== 'string' || !runStatuses.has(status)) fail(store, `status must be one of ${[...runStatuses].join(', ')}, got ${String(status)}`);
}

/** A listing query with its defaults applied. */
export interface NormalisedRunQuery {
  /** Only runs of this workflow name, when given. */
  readonly name: string | undefined;
  /** Only runs in this status, when given. */
  readonly status: RunStatus | undefined;
  /** At most this many runs. */
  readonly limit: number;
}

/**
 * Checks a listing query and applies the default limit. For `RunStore` implementations: every store refuses the same inputs the same way.
 *
 * @example
 * ```ts
 * const { name, status, limit } = normaliseRunQuery('MyRunStore', query);
 * ```
 */
export function normaliseRunQuery(store: string, query: RunQuery | undefined): NormalisedRunQuery {
  if (query === undefined) return { name: undefined, status: undefined, limit: defaultListLimit };
  if (typeof query !== 'object' || query === null) fail(store, `query must be an object, got ${query === null ? 'null' : typeof query}`);
  const { name, status, limit = defaultListLimit } = query;
  if (name !== undefined && typeof name !== 'string') fail(store, `query name must be a string, got ${typeof name}`);
  if (status !== undefined && (typeof status !== 'string' || !runStatuses.has(status))) fail(store, `query status must be one of ${[...runStatuses].join(', ')}, got ${String(status)}`);
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) fail(store, `query limit must be a positive whole number, got ${String(limit)}`);
  return { name, status, limit };
}
