import { join } from 'node:path';
import { InvalidOptionsError } from '@tta/primitives';
import { systemClock, type Clock } from '@tta/primitives/instrumentation';
import { REDACTED } from '@tta/primitives/logging';
import { readKeployConfig, DEFAULT_KEPLOY_CONFIG, type KeployConfig } from '../config/keploy-config.js';
import { KeployConfigError } from '../errors/keploy-config-error.js';
import { NoTestCasesError } from '../errors/no-test-cases-error.js';
import { TestSetNotFoundError } from '../errors/test-set-not-found-error.js';
import { resolveKeployFolders } from '../files/keploy-folder.js';
import { resolveMaxDocuments } from '../files/max-documents.js';
import { resolveMaxFileBytes } from '../files/read-capped-file.js';
import { nameProblem, pathInside } from '../files/safe-name.js';
import { isHttpMock, isHttpTestCase, ZERO_TIMESTAMP, type HttpTestCase, type Noise } from '../model.js';
import { startRecording, type RecordingSession } from '../recording/recording-session.js';
import { listTestSets, readTestSet } from '../test-set-files.js';
import { compareResponse, type Difference } from './compare-response.js';
import { NOISE_PRESETS, type NoisePresetName } from './noise-presets.js';
import { inRecordedOrder } from './recorded-order.js';
import type { RecordedTimeClock } from './recorded-time-clock.js';
import { sendRequest } from './send-request.js';

/** Options of {@link runTestSet}. */
export interface RunTestSetOptions {
  /**
   * The Keploy folder that holds the `test-set-N` folders, or the app folder that holds `keploy/` (as
   * Keploy's `--path` takes it). `keploy.yml` is read from the app folder: the Keploy folder's parent.
   * @default 'keploy'
   */
  readonly dir?: string;
  /**
   * The `keploy.yml` whose `test.globalNoise`, `test.ignoreOrdering` and `test.compareAll` apply; `false`
   * reads none (Keploy's defaults: arrays in any order, non-JSON bodies not compared).
   * @default '<app folder>/keploy.yml' when it exists
   */
  readonly config?: string | false;
  /**
   * Fail the set when it holds mocks that are not replayed (Mongo, MySQL, Postgres...: only HTTP mocks
   * are), instead of only counting them.
   * @default false
   */
  readonly strictMocks?: boolean;
  /**
   * Built-in noise for values that change with time (`'time'`: dates and timestamps; `'jwt'`: tokens).
   * @default []
   */
  readonly noisePresets?: readonly NoisePresetName[];
  /**
   * A clock the app under test reads its time from: moved to each test case's recorded request time before
   * the request is sent (see `recordedTimeClock`), and reset at the end.
   * @default none
   */
  readonly appClock?: RecordedTimeClock;
  /** The test set to run: a plain folder name inside `dir` (not `..`, without `/`, `\`, `:`...). */
  readonly testSet: string;
  /** Where the service listens, e.g. `http://127.0.0.1:3000`; replaces the recorded scheme, host and port. */
  readonly baseUrl: string;
  /**
   * Replay the set's recorded mocks in this process while the tests run (the service runs in this
   * process). Leave it off when the service is another process: start its mocks there with
   * `startRecording({ mode: 'replay' })`. Database mocks are not replayed, but a connection to where one
   * was recorded is refused with `UnreplayedConnectionError` while the tests run. Another active session
   * makes the run reject with `RecordingInUseError`: stop it first, or set `mocks: false` and let that
   * session answer.
   * @default true
   */
  readonly mocks?: boolean;
  /**
   * Run only these test cases (by name).
   * @default every test case
   */
  readonly tests?: readonly string[];
  /**
   * Noise added to every test case's own, e.g. `{ 'header.X-Build': [] }`.
   * @default {}
   */
  readonly noise?: Noise;
  /**
   * Request headers set on every replayed request (real credentials for headers recorded as redacted).
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Time allowed for each request, of any size (also beyond 24.8 days); `Infinity` allows any time.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * Largest Keploy file read (`mocks.yaml` or one test case), in bytes; a larger one makes the run reject
   * with `FileTooLargeError` before it is read.
   * @default 268435456 (256 MiB)
   */
  readonly maxFileBytes?: number;
  /**
   * Most YAML documents read from `mocks.yaml`, and most test case files; past it the run rejects with
   * `TooManyDocumentsError`.
   * @default 1000000
   */
  readonly maxDocuments?: number;
  /** Stops the run; the pending request is aborted and the run rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Source of time for durations.
   * @default systemClock
   */
  readonly clock?: Clock;
}

/** Outcome of one test case. */
export interface TestCaseResult {
  /** Test case name. */
  readonly name: string;
  /** Request method. */
  readonly method: string;
  /** URL the request was sent to. */
  readonly url: string;
  /** `skipped` for test cases that are not HTTP. */
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Time the request took. */
  readonly durationMs: number;
  /** What differed (empty when passed). */
  readonly differences: readonly Difference[];
  /** Why the request could not be made, when it failed before a response. */
  readonly error?: string;
}

/** Outcome of a test set. */
export interface TestSetResult {
  /** Test set name. */
  readonly testSet: string;
  /** Per test case, in order. */
  readonly results: readonly TestCaseResult[];
  /** Test cases that passed. */
  readonly passed: number;
  /** Test cases that failed (a difference, or no response). */
  readonly failed: number;
  /** Test cases that are not HTTP. */
  readonly skipped: number;
  /** Test cases run. */
  readonly total: number;
  /** True when no test case failed. */
  readonly ok: boolean;
  /** HTTP mocks never used while the tests ran (only when `mocks` is on). */
  readonly unusedMocks: readonly string[];
  /**
   * Mocks present in `mocks.yaml` and not replayed (every kind but `Http`), counted by kind, e.g.
   * `{ Mongo: 9 }`. With `strictMocks` any of them fails the set.
   */
  readonly unreplayedMocks: Readonly<Record<string, number>>;
}

const notForwarded = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'accept-encoding']);

/**
 * The recorded request's path and query on `baseUrl`'s origin, always: a recorded URL of another host, or a
 * path that starts with `//` (a network-path reference), must not carry the run's credentials elsewhere.
 */
const targetUrl = (recorded: string, baseUrl: URL): URL => {
  const original = new URL(recorded, 'http://recorded.invalid');
  const target = new URL(baseUrl.href);
  const prefix = baseUrl.pathname.replace(/\/$/, '');
  target.pathname = `${prefix}${original.pathname}`;
  target.search = original.search;
  target.hash = '';
  return target;
};

const withTimeout = async <T>(timeoutMs: number, signal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  // The toolkit's timers: a host timer fires a delay above 2^31 - 1 ms (or Infinity) after 1 ms, which failed
  // every request at once; these wait the full time, and Infinity never fires.
  const timer = systemClock.setTimeout(() => controller.abort(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
  try {
    return await run(controller.signal);
  } finally {
    systemClock.clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
};

interface Comparison {
  readonly noise: Noise;
  readonly anyDepth: Noise;
  readonly ignoreOrdering: boolean;
  readonly compareAll: boolean;
}

async function runOne(test: HttpTestCase, options: RunTestSetOptions, baseUrl: URL, clock: Clock, comparison: Comparison, source: string): Promise<TestCaseResult> {
  const url = targetUrl(test.request.url, baseUrl);
  const headers = new Headers();
  for (const [name, value] of Object.entries(test.request.headers)) {
    if (notForwarded.has(name.toLowerCase()) || value === REDACTED) continue;
    try {
      headers.append(name, value);
    } catch {
      // A value the Fetch API refuses is left out.
    }
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  const method = test.request.method;
  const body = test.request.bodyBytes ?? (test.request.body === '' ? undefined : test.request.body);
  if (test.request.timestamp !== ZERO_TIMESTAMP && Number.isFinite(Date.parse(test.request.timestamp))) options.appClock?.travelTo(test.request.timestamp);
  const startedAt = clock.now();
  const base = { name: test.name, method, url: url.href };
  let actual;
  try {
    actual = await withTimeout(options.timeoutMs ?? 30_000, options.signal, (signal) => sendRequest({ method, url, headers, body, signal }));
  } catch (error) {
    options.signal?.throwIfAborted();
    const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
    return { ...base, status: 'failed', durationMs: clock.now() - startedAt, differences: [], error: reason };
  }
  const differences = compareResponse(test.response, actual, { ...test.noise, ...comparison.noise }, {
    ignoreOrdering: comparison.ignoreOrdering,
    compareAll: comparison.compareAll,
    anyDepthNoise: comparison.anyDepth,
    noiseSource: source,
  });
  return { ...base, status: differences.length === 0 ? 'passed' : 'failed', durationMs: clock.now() - startedAt, differences };
}

const loadConfig = async (options: RunTestSetOptions | RunTestSetsOptions, appDir: string): Promise<KeployConfig> =>
  options.config === false ? DEFAULT_KEPLOY_CONFIG : readKeployConfig(options.config ?? join(appDir, 'keploy.yml'));

/**
 * Replays the test cases of one test set against a running service and compares each response with
 * the recorded one, noise respected (the job of `keploy test`). With `mocks` on, the set's recorded
 * outgoing calls answer the service's own requests while the tests run.
 *
 * @throws TestSetNotFoundError when the test set does not exist.
 * @throws KeployConfigError when `keploy.yml`'s `selectedTests` names a test case the set does not hold.
 */
export async function runTestSet(options: RunTestSetOptions): Promise<TestSetResult> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('runTestSet', 'options', 'must be an object');
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.baseUrl);
  } catch {
    throw new InvalidOptionsError('runTestSet', 'baseUrl', `must be an absolute URL such as http://127.0.0.1:3000 (got ${String(options.baseUrl)})`);
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw new InvalidOptionsError('runTestSet', 'timeoutMs', 'must be a positive number');
  const testSetProblem = nameProblem(options.testSet);
  if (testSetProblem !== undefined) {
    throw new InvalidOptionsError('runTestSet', 'testSet', `must be a folder name such as "test-set-0" (${JSON.stringify(options.testSet)}: ${testSetProblem})`);
  }
  const maxFileBytes = resolveMaxFileBytes('runTestSet', options.maxFileBytes);
  const maxDocuments = resolveMaxDocuments('runTestSet', options.maxDocuments);
  if (options.strictMocks !== undefined && typeof options.strictMocks !== 'boolean') throw new InvalidOptionsError('runTestSet', 'strictMocks', 'must be a boolean');
  for (const preset of options.noisePresets ?? []) {
    if (!Object.hasOwn(NOISE_PRESETS, preset)) throw new InvalidOptionsError('runTestSet', 'noisePresets', `has unknown preset ${JSON.stringify(preset)} (known: ${Object.keys(NOISE_PRESETS).join(', ')})`);
  }
  const { keployDir: dir, appDir } = await resolveKeployFolders(options.dir ?? 'keploy');
  const config = await loadConfig(options, appDir);
  const setNoise = config.testSets[options.testSet];
  const presets = (options.noisePresets ?? []).map((name) => NOISE_PRESETS[name]);
  const comparison: Comparison = {
    noise: Object.assign({}, config.global.noise, setNoise?.noise, ...presets.map((preset) => preset.noise), options.noise) as Noise,
    anyDepth: Object.assign({}, config.global.anyDepth, setNoise?.anyDepth, ...presets.map((preset) => preset.anyDepth)) as Noise,
    ignoreOrdering: config.ignoreOrdering,
    compareAll: config.compareAll,
  };
  const set = await readTestSet(pathInside(dir, options.testSet, 'test set'), { maxFileBytes, maxDocuments });
  const clock = options.clock ?? systemClock;
  // keploy.yml's `selectedTests` names the cases of a set to run (an empty list: all), as in Keploy.
  const wanted = options.tests ?? (config.selectedTests[options.testSet]?.length ? config.selectedTests[options.testSet] : undefined);
  if (options.tests === undefined && wanted !== undefined) {
    // A typo in the list would otherwise run nothing of this set and still report it green.
    const held = new Set(set.tests.map((test) => test.name));
    const missing = wanted.find((name) => !held.has(name));
    if (missing !== undefined) {
      throw new KeployConfigError(config.file ?? 'keploy.yml', `test.selectedTests.${options.testSet}`, `names ${JSON.stringify(missing)}, which test set ${options.testSet} does not hold`);
    }
  }
  const selected = inRecordedOrder(wanted === undefined ? set.tests : set.tests.filter((test) => wanted.includes(test.name)));
  let session: RecordingSession | undefined;
  // Any mock at all: HTTP ones are replayed, the others guard their database connections (see net-guard).
  if ((options.mocks ?? true) && set.mocks.length > 0) {
    session = await startRecording({
      dir,
      testSet: options.testSet,
      mode: 'replay',
      env: {},
      maxFileBytes,
      maxDocuments,
      passthrough: ({ url }) => url.origin === baseUrl.origin,
    });
  }
  const results: TestCaseResult[] = [];
  try {
    for (const test of selected) {
      options.signal?.throwIfAborted();
      if (!isHttpTestCase(test)) {
        results.push({ name: test.name, method: '', url: '', status: 'skipped', durationMs: 0, differences: [] });
        continue;
      }
      results.push(await runOne(test, options, baseUrl, clock, comparison, config.file ?? 'noise option'));
    }
  } finally {
    options.appClock?.reset();
    await session?.stop();
  }
  const unreplayedMocks: Record<string, number> = {};
  for (const mock of set.mocks) if (!isHttpMock(mock)) unreplayedMocks[mock.kind] = (unreplayedMocks[mock.kind] ?? 0) + 1;
  const strictFailure = options.strictMocks === true && Object.keys(unreplayedMocks).length > 0;
  const passed = results.filter((result) => result.status === 'passed').length;
  const failed = results.filter((result) => result.status === 'failed').length;
  const skipped = results.length - passed - failed;
  return {
    testSet: options.testSet,
    results,
    passed,
    failed,
    skipped,
    total: results.length,
    ok: failed === 0 && !strictFailure,
    unusedMocks: session === undefined ? [] : session.unusedMocks().map((mock) => `${mock.name} (${mock.request.method} ${mock.request.url})`),
    unreplayedMocks,
  };
}

/** Options of {@link runTestSets}: those of {@link runTestSet}, with the test set optional. */
export interface RunTestSetsOptions extends Omit<RunTestSetOptions, 'testSet'> {
  /**
   * Run only this test set.
   * @default every test set of `dir`
   */
  readonly testSet?: string;
}

/**
 * Runs one test set, or every test set of `dir` in order (`reports/`, `testReports/`, `schema/` and
 * `api-tests/` are not test sets). A run that finds no test case to replay rejects: it checks nothing.
 *
 * @throws TestSetNotFoundError when the named set (or, without a name, any set) does not exist.
 * @throws NoTestCasesError when the sets read hold no HTTP test case to replay (or none of those named in
 * `tests`).
 *
 * @example
 * ```ts
 * const results = await runTestSets({ dir: 'my-app', baseUrl: 'http://127.0.0.1:3000', mocks: false });
 * const ok = results.every((result) => result.ok);
 * ```
 */
export async function runTestSets(options: RunTestSetsOptions): Promise<TestSetResult[]> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('runTestSets', 'options', 'must be an object');
  const { keployDir: dir, appDir } = await resolveKeployFolders(options.dir ?? 'keploy');
  let names = options.testSet === undefined ? await listTestSets(dir) : [options.testSet];
  const selectedSets = Object.keys((await loadConfig(options, appDir)).selectedTests);
  // As Keploy: with `selectedTests`, only the sets it names run; if it names none that exists, all do.
  if (options.testSet === undefined && selectedSets.length > 0 && names.some((name) => selectedSets.includes(name))) {
    names = names.filter((name) => selectedSets.includes(name));
  }
  if (names.length === 0) throw new TestSetNotFoundError('test-set-*', dir);
  const results: TestSetResult[] = [];
  for (const testSet of names) results.push(await runTestSet({ ...options, dir, testSet }));
  // Sets whose test cases are all skipped (not HTTP) checked nothing either.
  if (results.every((result) => result.passed + result.failed === 0)) throw new NoTestCasesError(dir, names);
  return results;
}
